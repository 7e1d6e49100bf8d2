using PriceIntel.WebApi;

// Start-up errors a user can fix (store in use, a path or port that cannot be used, bad configuration) are one line and exit code 1 or 2.
return await WebApiHost.RunAsync(args, Console.Error);
