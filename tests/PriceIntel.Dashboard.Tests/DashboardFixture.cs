using Microsoft.Playwright;

namespace PriceIntel.Dashboard.Tests;

/// <summary>
/// One headless Chromium per test class (Debian's package, launched with the flags a container needs), with a
/// time limit on every step of starting and stopping it, so a browser that does not come up fails the tests
/// that need it instead of hanging the run.
/// </summary>
public class BrowserFixture : IAsyncLifetime
{
    /// <summary>The time limit of a Playwright action or wait when a test gives none.</summary>
    public const float DefaultTimeout = 20_000;

    /// <summary>Flags for a container: no sandbox (no user namespaces), no GPU, /tmp instead of a small /dev/shm.</summary>
    public static readonly string[] ChromiumArgs =
    [
        "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
        "--disable-component-update", "--disable-extensions", "--no-first-run", "--mute-audio",
    ];

    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public virtual async Task InitializeAsync()
    {
        if (!File.Exists(BrowserFactAttribute.ChromiumPath))
        {
            return;
        }

        _playwright = await Playwright.CreateAsync().WaitAsync(TimeSpan.FromSeconds(60));
        _browser = await _playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = BrowserFactAttribute.ChromiumPath,
            Headless = true,
            Args = ChromiumArgs,
            Timeout = 60_000,
        }).WaitAsync(TimeSpan.FromSeconds(70));
    }

    /// <summary>A fresh page in its own context (its own storage), with the console errors and page errors it logs; dispose it to close the context (and its live feed connection).</summary>
    public async Task<BrowserSession> OpenAsync()
    {
        var browser = _browser ?? throw new InvalidOperationException("Chromium did not start.");
        var context = await browser.NewContextAsync(new() { ViewportSize = new() { Width = 1400, Height = 1000 } }).WaitAsync(TimeSpan.FromSeconds(30));
        context.SetDefaultTimeout(DefaultTimeout);
        context.SetDefaultNavigationTimeout(30_000);
        var page = await context.NewPageAsync().WaitAsync(TimeSpan.FromSeconds(30));
        var session = new BrowserSession(context, page);
        page.Console += (_, message) =>
        {
            session.Log.Add($"{message.Type}: {message.Text}");
            if (message.Type == "error")
            {
                session.Errors.Add(message.Text);
            }
        };
        page.PageError += (_, error) => session.Errors.Add("page error: " + error);
        page.RequestFailed += (_, request) => session.Log.Add($"request failed: {request.Method} {request.Url} {request.Failure}");
        page.Response += (_, response) => session.Log.Add($"{response.Status} {response.Request.Method} {response.Url}");
        return session;
    }

    public virtual async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            try
            {
                await _browser.CloseAsync().WaitAsync(TimeSpan.FromSeconds(15));
            }
            catch (Exception e) when (e is PlaywrightException or TimeoutException)
            {
                // Gone already, or stuck: disposing Playwright below ends its driver and the browser with it.
            }
        }

        _playwright?.Dispose();
    }
}

/// <summary>A page and its context; disposing it closes the context (with a time limit).</summary>
public sealed class BrowserSession(IBrowserContext context, IPage page) : IAsyncDisposable
{
    public IPage Page { get; } = page;

    /// <summary>Every console message, response and failed request, for a failing test's output.</summary>
    public List<string> Log { get; } = [];

    /// <summary>Console errors and uncaught page errors, in order.</summary>
    public List<string> Errors { get; } = [];

    public async ValueTask DisposeAsync()
    {
        try
        {
            await context.CloseAsync().WaitAsync(TimeSpan.FromSeconds(15));
        }
        catch (Exception e) when (e is PlaywrightException or TimeoutException)
        {
            // The browser is going away; the fixture closes it.
        }
    }
}

/// <summary>The browser plus one host with a small ingested market, shared by a test class.</summary>
public sealed class DashboardFixture : BrowserFixture
{
    public DashboardHost Host { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        Host = await DashboardHost.StartAsync().WaitAsync(TimeSpan.FromSeconds(60));
        await Host.AddCatalogAsync(6).WaitAsync(TimeSpan.FromSeconds(60));
        await Host.IngestAsync(DashboardHost.Market(6, DashboardHost.Start)).WaitAsync(TimeSpan.FromSeconds(60));
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Host.DisposeAsync();
    }

    /// <summary>Where screenshots go: docs/screenshots in the repository.</summary>
    public static string ScreenshotPath(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "PriceIntel.sln")))
            {
                string folder = Path.Combine(dir.FullName, "docs", "screenshots");
                Directory.CreateDirectory(folder);
                return Path.Combine(folder, name);
            }
        }

        return Path.Combine(Path.GetTempPath(), name);
    }
}
