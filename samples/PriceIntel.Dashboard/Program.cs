using PriceIntel.DashboardHost;
using PriceIntel.WebApi;

// The dashboard host: the web API host (engine on the simulator, embedded store, the API and its live
// feed) plus the dashboard page at /dashboard. On embedded defaults bound to loopback, anyone who can
// reach the page may read the market without signing in; acknowledging and pricing still need a key.
await using var app = await WebApiHost.BuildAsync(args, DashboardDefaults.Apply);
app.MapPriceIntelDashboard();
app.MapGet("/", () => Results.Redirect("/dashboard/")).AllowAnonymous().ExcludeFromDescription();
await app.RunAsync();
