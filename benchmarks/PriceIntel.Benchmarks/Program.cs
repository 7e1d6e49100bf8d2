using BenchmarkDotNet.Running;

// Runs the suites chosen on the command line, e.g.
//   dotnet run -c Release --project benchmarks/PriceIntel.Benchmarks -- --filter '*' --job short
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
