using PriceIntel.DashboardHost;
using PriceIntel.WebApi;

// The dashboard host: the web API host (engine on the simulator, embedded store, the API and its live
// feed) plus the dashboard page at /dashboard. On embedded defaults bound to loopback, anyone who can
// reach the page may read the market without signing in; acknowledging and pricing still need a key.
// A store in use, a port taken or a bad setting ends with one error line and exit code 1 (2 for
// configuration), as the web API host does, not with a stack trace.
return await WebApiHost.RunAsync(args, Console.Error, DashboardDefaults.Apply, app =>
{
    app.MapPriceIntelDashboard();
    app.MapGet("/", () => Results.Redirect("/dashboard/")).AllowAnonymous().ExcludeFromDescription();
});
