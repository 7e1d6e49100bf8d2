using PriceIntel.WebApi;

await using var app = await WebApiHost.BuildAsync(args);
await app.RunAsync();
