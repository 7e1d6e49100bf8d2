System.Console.WriteLine("PriceIntel console demo: under construction in this commit.");
