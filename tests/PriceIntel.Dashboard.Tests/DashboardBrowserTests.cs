using System.Diagnostics;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace PriceIntel.Dashboard.Tests;

/// <summary>
/// The dashboard in headless Chromium (Debian's package) against the real host: it loads without console
/// errors, every chart draws data, a competitor drop ingested over the API appears live in the signals and
/// decisions tables, acknowledging works for an analyst and is refused for a viewer, and filters filter.
/// </summary>
public sealed class DashboardBrowserTests(DashboardFixture fixture, ITestOutputHelper output) : IClassFixture<DashboardFixture>
{
    [BrowserFact]
    public async Task Page_loads_without_console_errors_and_every_chart_draws_data()
    {
        var (page, errors) = await fixture.OpenAsync();
        var clock = Stopwatch.StartNew();
        await page.GotoAsync(fixture.Host.Address + "dashboard/");
        await Expect(page, "#live", "● live");
        output.WriteLine($"feed live {clock.ElapsedMilliseconds} ms after navigation");

        foreach (string chart in (string[])["chart-trend", "chart-competitors", "chart-demand", "chart-experiments"])
        {
            await page.WaitForFunctionAsync($"() => Number(document.getElementById('{chart}').dataset.points || 0) > 0", null, new() { Timeout = 60_000 });
            Assert.True(await page.Locator($"#{chart} .main-svg").CountAsync() > 0, $"{chart} has no plot");
        }

        output.WriteLine($"all charts drawn {clock.ElapsedMilliseconds} ms after navigation");
        Assert.NotEqual("–", await page.InnerTextAsync("#kpi-products"));
        Assert.Equal("6", await page.InnerTextAsync("#kpi-products"));
        Assert.True(await page.Locator("#decisions tbody tr.decision").CountAsync() > 0, "no decisions listed");
        Assert.True(await page.Locator("#arms tbody tr").CountAsync() > 0, "no experiment arms listed");
        await page.ScreenshotAsync(new() { Path = DashboardFixture.ScreenshotPath("dashboard.png"), FullPage = true });
        Assert.Empty(errors);
    }

    [BrowserFact]
    public async Task A_competitor_drop_ingested_over_the_api_appears_live_and_an_analyst_acknowledges_it()
    {
        var (page, errors) = await fixture.OpenAsync();
        await page.GotoAsync(fixture.Host.Address + "dashboard/");
        await Expect(page, "#live", "● live");
        string product = "LIVE-" + Guid.NewGuid().ToString("N")[..6];

        await fixture.Host.IngestAsync(DashboardHost.CompetitorDrop(product, DashboardHost.Start + (150 * DashboardHost.Minute)));
        var row = page.Locator($"#signals tbody tr:has-text('{product}')").First;
        await row.WaitForAsync(new() { Timeout = 30_000 });
        Assert.Contains("competitor price drop", await row.InnerTextAsync(), StringComparison.Ordinal);
        await page.Locator($"#decisions tbody tr.decision:has-text('{product}')").First.WaitForAsync(new() { Timeout = 30_000 });

        // Anonymous: the Acknowledge button asks for a sign-in instead of acknowledging.
        await row.Locator("button.ack").ClickAsync();
        await Expect(page, "#banner", "Sign in");

        // A viewer's key is refused by the API.
        await SignInAsync(page, DashboardHost.ViewerKey);
        page.Dialog += (_, dialog) => dialog.AcceptAsync("seen it").GetAwaiter().GetResult();
        await page.Locator($"#signals tbody tr:has-text('{product}') button.ack").First.ClickAsync();
        await Expect(page, "#banner", "may not");

        // An analyst's works, and the row shows who acknowledged it.
        await page.ClickAsync("#signout");
        await SignInAsync(page, DashboardHost.AnalystKey);
        await page.SelectOptionAsync("#filter-ack", "");
        var signed = page.Locator($"#signals tbody tr:has-text('{product}')").First;
        await signed.Locator("button.ack").ClickAsync();
        await Expect(page, $"#signals tbody tr:has-text('{product}')", "ack by analyst-1");
        await page.ScreenshotAsync(new() { Path = DashboardFixture.ScreenshotPath("dashboard-acknowledged.png") });
        Assert.DoesNotContain(errors, e => !e.Contains("403", StringComparison.Ordinal) && !e.Contains("401", StringComparison.Ordinal));
    }

    [BrowserFact]
    public async Task Filters_show_only_matching_signals()
    {
        var (page, _) = await fixture.OpenAsync();
        await page.GotoAsync(fixture.Host.Address + "dashboard/");
        await Expect(page, "#live", "● live");
        await fixture.Host.IngestAsync(DashboardHost.CompetitorDrop("FILTER-1", DashboardHost.Start + (150 * DashboardHost.Minute)));
        await page.SelectOptionAsync("#filter-ack", "");
        await page.SelectOptionAsync("#filter-kind", "low_inventory");
        await page.WaitForTimeoutAsync(500);
        foreach (string text in await page.Locator("#signals tbody tr").AllInnerTextsAsync())
        {
            Assert.True(text.Contains("low inventory", StringComparison.Ordinal) || text.Contains("no signals match", StringComparison.Ordinal), text);
        }

        await page.SelectOptionAsync("#filter-kind", "competitor_price_drop");
        await page.Locator("#signals tbody tr:has-text('competitor price drop')").First.WaitForAsync(new() { Timeout = 30_000 });
        foreach (string text in await page.Locator("#signals tbody tr").AllInnerTextsAsync())
        {
            Assert.Contains("competitor price drop", text, StringComparison.Ordinal);
        }
    }

    [BrowserFact]
    public async Task Without_anonymous_reading_the_page_asks_for_a_key_and_shows_the_market_after_sign_in()
    {
        await using var host = await DashboardHost.StartAsync(anonymousRead: false);
        await host.AddCatalogAsync(2);
        await host.IngestAsync(DashboardHost.Market(2, DashboardHost.Start));
        var (page, _) = await fixture.OpenAsync();
        await page.GotoAsync(host.Address + "dashboard/");
        await Expect(page, "#banner", "Sign in");
        await SignInAsync(page, DashboardHost.ViewerKey);
        await Expect(page, "#kpi-products", "2");
        await Expect(page, "#who", "viewer");
    }

    private static async Task SignInAsync(IPage page, string key)
    {
        await page.FillAsync("#apikey", key);
        await page.ClickAsync("#signin-button");
        await Expect(page, "#who", "signed in");
    }

    private static async Task Expect(IPage page, string selector, string text)
    {
        try
        {
            await page.WaitForFunctionAsync(
                "([s, t]) => [...document.querySelectorAll(s)].some(e => e.innerText.includes(t))", new object[] { selector, text }, new() { Timeout = 30_000 });
        }
        catch (TimeoutException)
        {
            string actual = await page.Locator(selector).First.InnerTextAsync(new() { Timeout = 1_000 }).ConfigureAwait(false);
            Assert.Fail($"'{selector}' never showed '{text}'; it shows '{actual}'");
        }
    }
}
