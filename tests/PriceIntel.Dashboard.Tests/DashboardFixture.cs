using Microsoft.Playwright;

namespace PriceIntel.Dashboard.Tests;

/// <summary>One host with a small ingested market, and one headless Chromium, shared by a test class.</summary>
public sealed class DashboardFixture : IAsyncLifetime
{
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public DashboardHost Host { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Host = await DashboardHost.StartAsync();
        await Host.AddCatalogAsync(6);
        await Host.IngestAsync(DashboardHost.Market(6, DashboardHost.Start));
        if (File.Exists(BrowserFactAttribute.ChromiumPath))
        {
            _playwright = await Playwright.CreateAsync();
            _browser = await _playwright.Chromium.LaunchAsync(new()
            {
                ExecutablePath = BrowserFactAttribute.ChromiumPath,
                Headless = true,
                Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
            });
        }
    }

    /// <summary>A fresh page (its own storage) and the console errors and failed requests it logs.</summary>
    public async Task<(IPage Page, List<string> Errors)> OpenAsync()
    {
        var context = await _browser!.NewContextAsync(new() { ViewportSize = new() { Width = 1400, Height = 1000 } });
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                errors.Add(message.Text);
            }
        };
        page.PageError += (_, error) => errors.Add("page error: " + error);
        return (page, errors);
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

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
        await Host.DisposeAsync();
    }
}
