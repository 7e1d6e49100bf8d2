using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace PriceIntel.Dashboard.Tests;

/// <summary>
/// The dashboard in headless Chromium (Debian's package) against the real host: it loads without console
/// errors, every chart draws data, a competitor drop ingested over the API appears live in the signals and
/// decisions tables and on the price timeline, acknowledging works for an analyst and is refused for a viewer,
/// and filters filter.
/// </summary>
public sealed class DashboardBrowserTests(DashboardFixture fixture, ITestOutputHelper output) : IClassFixture<DashboardFixture>
{
    [BrowserFact]
    public async Task Page_loads_without_console_errors_and_every_chart_draws_data()
    {
        await using var session = await fixture.OpenAsync();
        using var log = new SessionLog(session, output);
        var page = session.Page;
        var clock = Stopwatch.StartNew();
        await page.GotoAsync(fixture.Host.Address + "dashboard/");
        await PageWaits.ExpectTextAsync(page, "#live", "● live");
        output.WriteLine($"feed live {clock.ElapsedMilliseconds} ms after navigation");

        foreach (string chart in Charts)
        {
            // A chart below the fold draws when scrolled to (charts.js); each is scrolled into view, as a reader would.
            await page.Locator($"#{chart}").ScrollIntoViewIfNeededAsync();
            await PageWaits.WaitAsync(page, $"() => Number(document.getElementById('{chart}').dataset.points || 0) > 0", $"{chart} to draw data");
            Assert.True(await page.Locator($"#{chart} .main-svg").CountAsync() > 0, $"{chart} has no plot");
        }

        output.WriteLine($"all charts drawn {clock.ElapsedMilliseconds} ms after navigation");
        Assert.True(int.Parse(await page.InnerTextAsync("#kpi-products"), System.Globalization.CultureInfo.InvariantCulture) >= 6, "fewer products than the fixture ingested");
        Assert.True(await page.Locator("#decisions tbody tr.decision").CountAsync() > 0, "no decisions listed");
        Assert.True(await page.Locator("#arms tbody tr").CountAsync() > 0, "no experiment arms listed");

        // The demand chart is a time series of views, add-to-carts, purchases and conversion.
        string[] demandTraces = await page.EvaluateAsync<string[]>("() => document.getElementById('chart-demand').data.map(t => t.name)");
        Assert.Equal(["views", "add to cart", "purchases", "conversion"], demandTraces);

        // The selected product's timeline carries our price, its competitors and the decisions made on it.
        string[] trendTraces = await page.EvaluateAsync<string[]>("() => document.getElementById('chart-trend').data.filter(t => t.x.length > 0).map(t => t.name)");
        Assert.Contains("our price", trendTraces);
        Assert.Contains("acme", trendTraces);

        // The catalog-wide views draw what the API's overview says: every priced product in one gap bin, one bar per competitor.
        using (var client = fixture.Host.Client())
        {
            var position = (await client.GetFromJsonAsync<JsonElement>("/api/overview")).GetProperty("position");
            long products = position.GetProperty("products").GetInt64();
            Assert.True(products >= 6, $"position over {products} products");
            string[] competitors = [.. position.GetProperty("competitors").EnumerateArray().Select(c => c.GetProperty("competitor").GetString()!).Order(StringComparer.Ordinal)];
            await PageWaits.WaitAsync(page, $"() => document.getElementById('chart-position').data[0].y.reduce((a, b) => a + b, 0) === {products}", "the gap histogram to hold every priced product");
            string[] bars = await page.EvaluateAsync<string[]>("() => [...document.getElementById('chart-index').data[0].x].sort()");
            Assert.Equal(competitors, bars);
            Assert.Contains("acme", bars);
        }

        // The product's demand chart shows the store's hourly demand of the selected product: the same views and purchases as the API.
        string sku = await page.InputValueAsync("#product");
        await ProductDemandMatchesApiAsync(page, sku);

        // A decision row opens its full "why": the strategy's explanation.
        await page.Locator("#decisions tbody tr.decision").First.ClickAsync();
        string why = await page.Locator("#decisions tbody tr.why-row:not([hidden])").First.InnerTextAsync();
        Assert.False(string.IsNullOrWhiteSpace(why), "the decision's why is empty");
        Assert.True(session.Errors.Count == 0, string.Join("\n", session.Errors));
    }

    /// <summary>Every chart on the page, top to bottom.</summary>
    private static readonly string[] Charts = ["chart-trend", "chart-competitors", "chart-product-demand", "chart-demand", "chart-position", "chart-index", "chart-experiments"];

    [BrowserFact]
    public async Task Charts_on_screen_draw_at_once_and_a_chart_below_the_fold_draws_when_scrolled_to()
    {
        await using var session = await fixture.OpenAsync();
        using var log = new SessionLog(session, output);
        var page = session.Page;
        await page.GotoAsync(fixture.Host.Address + "dashboard/");
        await PageWaits.ExpectTextAsync(page, "#live", "● live");
        int height = page.ViewportSize!.Height;
        var tops = await page.EvaluateAsync<Dictionary<string, double>>("ids => Object.fromEntries(ids.map(id => [id, document.getElementById(id).getBoundingClientRect().top]))", Charts);
        string[] onScreen = [.. Charts.Where(c => tops[c] < height)];
        string[] below = [.. Charts.Where(c => tops[c] > height + 200)];
        output.WriteLine($"viewport {height} px; on screen: {string.Join(", ", onScreen)}; below the fold: {string.Join(", ", below)}");
        Assert.Contains("chart-trend", onScreen);
        Assert.Contains("chart-experiments", below);

        // Without any scrolling, every chart on screen draws its data.
        foreach (string chart in onScreen)
        {
            await PageWaits.WaitAsync(page, $"() => Number(document.getElementById('{chart}').dataset.points || 0) > 0", $"{chart} (on screen) to draw data");
        }

        // The experiment's data has arrived (its table is filled from the same response) but its chart, far below, is not drawn: it waits.
        await PageWaits.WaitAsync(page, "() => document.querySelectorAll('#arms tbody tr').length > 0", "the experiment arms table");
        await PageWaits.WaitAsync(page, "() => document.getElementById('chart-experiments').dataset.waiting === '1'", "the experiments chart to wait for scrolling");
        Assert.Equal(0, await page.Locator("#chart-experiments .main-svg").CountAsync());

        // Scrolled to, it draws the arms the table lists.
        await page.Locator("#chart-experiments").ScrollIntoViewIfNeededAsync();
        await PageWaits.WaitAsync(page, "() => Number(document.getElementById('chart-experiments').dataset.points || 0) > 0", "the experiments chart to draw after scrolling");
        Assert.True(await page.Locator("#chart-experiments .main-svg").CountAsync() > 0, "no plot after scrolling");
        string[] arms = await page.EvaluateAsync<string[]>("() => [...document.querySelectorAll('#arms tbody tr td:first-child')].map(td => td.textContent)");
        string[] bars = await page.EvaluateAsync<string[]>("() => document.getElementById('chart-experiments').data[0].x");
        Assert.Equal(arms, bars);
        Assert.Null(await page.GetAttributeAsync("#chart-experiments", "data-waiting"));
        Assert.True(session.Errors.Count == 0, string.Join("\n", session.Errors));
    }

    [BrowserFact]
    public async Task The_plotly_bundle_registers_every_trace_type_the_page_draws()
    {
        await using var session = await fixture.OpenAsync();
        using var log = new SessionLog(session, output);
        var page = session.Page;
        await page.GotoAsync(fixture.Host.Address + "dashboard/");
        foreach (string chart in Charts)
        {
            await page.Locator($"#{chart}").ScrollIntoViewIfNeededAsync();
            await PageWaits.WaitAsync(page, $"() => Number(document.getElementById('{chart}').dataset.points || 0) > 0", $"{chart} to draw data");
        }

        // The committed bundle (src/PriceIntel.Dashboard/plotly/entry.js) holds scatter and bar; a trace type plotly.js does not
        // know is dropped from the chart without an error, so every type the page draws must be one the bundle registered.
        string[] registered = await page.EvaluateAsync<string[]>("() => Object.keys(Plotly.PlotSchema.get().traces).sort()");
        Assert.Equal(["bar", "scatter"], registered);
        var drawnTypes = await page.EvaluateAsync<string[][]>("ids => ids.map(id => [id, ...document.getElementById(id).data.map(t => t.type || 'scatter')])", Charts);
        foreach (string[] chart in drawnTypes)
        {
            Assert.True(chart.Length > 1, $"{chart[0]} has no traces");
            foreach (string type in chart.Skip(1))
            {
                Assert.True(registered.Contains(type), $"{chart[0]} draws a '{type}' trace, which the plotly.js bundle does not register");
            }
        }

        // And plotly.js drew every trace it was given as that type (an unregistered one would have come out hidden).
        bool allShown = await page.EvaluateAsync<bool>("ids => ids.every(id => { const g = document.getElementById(id); return g._fullData.length === g.data.length && g._fullData.every((t, i) => t.type === (g.data[i].type || 'scatter') && t.visible !== false); })", Charts);
        Assert.True(allShown, "a chart's full data differs from what it was given");
        Assert.True(session.Errors.Count == 0, string.Join("\n", session.Errors));
    }

    [BrowserFact]
    public async Task A_competitor_drop_ingested_over_the_api_appears_live_and_on_the_timeline_and_only_an_analyst_may_acknowledge_it()
    {
        await using var session = await fixture.OpenAsync();
        using var log = new SessionLog(session, output);
        var page = session.Page;
        await page.GotoAsync(fixture.Host.Address + "dashboard/");
        await PageWaits.ExpectTextAsync(page, "#live", "● live");
        string product = "LIVE-" + Guid.NewGuid().ToString("N")[..6];

        await fixture.Host.IngestAsync(DashboardHost.CompetitorDrop(product, DashboardHost.Start + (150 * DashboardHost.Minute)));
        var ingested = Stopwatch.StartNew();
        var row = page.Locator($"#signals tbody tr:has-text('{product}')").First;
        await row.WaitForAsync(new() { Timeout = 30_000 });
        output.WriteLine($"signal row shown {ingested.ElapsedMilliseconds} ms after the ingest call returned (includes polling; a figure, not an assertion)");
        Assert.Contains("competitor price drop", await row.InnerTextAsync(), StringComparison.Ordinal);
        await page.Locator($"#decisions tbody tr.decision:has-text('{product}')").First.WaitForAsync(new() { Timeout = 30_000 });
        string signalId = await row.GetAttributeAsync("data-id") ?? throw new InvalidOperationException("signal row without an id");

        // Choosing the product puts the signal and the decision on its price timeline.
        await row.Locator("a").ClickAsync();
        await page.Locator("#chart-trend").ScrollIntoViewIfNeededAsync(); // the table is below the fold; the trend draws when on screen
        await PageWaits.WaitAsync(page, "() => { const d = document.getElementById('chart-trend').data || []; return ['signals', 'decisions'].every(n => d.some(t => t.name === n && t.x.length > 0)); }", "signal and decision markers on the trend");

        // Anonymous: the Acknowledge button asks for a sign-in instead of acknowledging.
        await row.Locator("button.ack").ClickAsync();
        await PageWaits.ExpectTextAsync(page, "#banner", "Sign in");

        // A viewer's key is refused by the API, and the signal stays open.
        await SignInAsync(page, DashboardHost.ViewerKey);
        await AcknowledgeAsync(page, signalId, "seen it");
        await PageWaits.ExpectTextAsync(page, "#banner", "may not");
        Assert.False(await IsAcknowledgedAsync(signalId), "a viewer acknowledged a signal");

        // An analyst's works, and the row shows who acknowledged it.
        await page.ClickAsync("#signout");
        await SignInAsync(page, DashboardHost.AnalystKey);
        await page.SelectOptionAsync("#filter-ack", "");
        // Cancel puts the button back without acknowledging; then the note typed in the row goes with the acknowledgement.
        await page.Locator($"#signals tbody tr[data-id='{signalId}'] button.ack").ClickAsync();
        await page.Locator($"#signals tbody tr[data-id='{signalId}'] button.ack-cancel").ClickAsync();
        await AcknowledgeAsync(page, signalId, "matched by the rule");
        await PageWaits.ExpectTextAsync(page, $"#signals tbody tr[data-id='{signalId}']", "ack by analyst-1");
        Assert.True(await IsAcknowledgedAsync(signalId), "the analyst's acknowledgement was not stored");
        using (var client = fixture.Host.Client(DashboardHost.ViewerKey))
        {
            var signal = await client.GetFromJsonAsync<JsonElement>($"/api/signals/{signalId}");
            Assert.Equal("matched by the rule", signal.GetProperty("acknowledgementNote").GetString());
        }
        var unexpected = session.Errors.Where(e => !e.Contains("403", StringComparison.Ordinal) && !e.Contains("401", StringComparison.Ordinal)).ToList();
        Assert.True(unexpected.Count == 0, string.Join("\n", unexpected));
    }

    [BrowserFact]
    public async Task The_first_screens_views_are_asked_for_once_while_the_page_is_parsed_before_plotly_runs()
    {
        await using var session = await fixture.OpenAsync();
        using var log = new SessionLog(session, output);
        var page = session.Page;
        await page.GotoAsync(fixture.Host.Address + "dashboard/");
        await PageWaits.WaitAsync(page, "() => ['chart-trend', 'chart-competitors', 'chart-product-demand'].every(id => Number(document.getElementById(id).dataset.points || 0) > 0)", "the first screen's charts");
        string sku = await page.InputValueAsync("#product");

        // Every API request made in the first 4.5 s (the periodic refreshes start 5 s after the page's script runs), and when.
        var requests = await page.EvaluateAsync<JsonElement>("""
            () => performance.getEntriesByType('resource').filter(r => new URL(r.name).pathname.startsWith('/api/') && r.startTime < 4500)
              .map(r => ({ url: new URL(r.name).pathname + new URL(r.name).search, start: r.startTime }))
            """);
        double plotlyReady = await page.EvaluateAsync<double>("() => performance.getEntriesByName('plotly-ready')[0].startTime");
        var made = requests.EnumerateArray().Select(r => (Url: r.GetProperty("url").GetString()!, Start: r.GetProperty("start").GetDouble())).ToList();
        output.WriteLine($"plotly.js ready at {plotlyReady:0} ms; requests: {string.Join(", ", made.Select(r => $"{r.Url} at {r.Start:0}"))}");
        string[] firstScreen =
        [
            "/api/overview", "/api/products?limit=500", $"/api/products/{sku}/board", $"/api/products/{sku}/history?size=minute&limit=1000",
            $"/api/decisions?product={sku}&limit=200", $"/api/signals?product={sku}&limit=200", $"/api/products/{sku}/demand?bucket=hour&limit=168",
        ];
        foreach (string url in firstScreen)
        {
            // Asked for once: app.js took the inline script's answer instead of asking again.
            Assert.True(made.Count(r => r.Url == url) == 1, $"{url} asked for {made.Count(r => r.Url == url)} times");
        }

        // The key metrics (and so the busiest product) were asked for while the page was parsed: before plotly.js ran.
        Assert.True(made.Single(r => r.Url == "/api/overview").Start < plotlyReady, "the overview was asked for only after plotly.js ran");
        Assert.True(session.Errors.Count == 0, string.Join("\n", session.Errors));
    }

    [BrowserFact]
    public async Task Signals_the_feed_left_out_in_a_burst_still_reach_the_tables()
    {
        // A feed capped at one item a second: a burst of four competitor drops (four signals and four decisions in one
        // batch) reaches the page mostly as a count in the next summary, and the page reads the tables again.
        await using var host = await DashboardHost.StartAsync(feedItemsPerSecond: 1).WaitAsync(TimeSpan.FromSeconds(60));
        await host.AddCatalogAsync(2);
        await host.IngestAsync(DashboardHost.Market(2, DashboardHost.Start));
        await using var session = await fixture.OpenAsync();
        using var log = new SessionLog(session, output);
        var page = session.Page;
        await page.GotoAsync(host.Address + "dashboard/");
        await PageWaits.ExpectTextAsync(page, "#live", "● live");

        string burst = "BURST-" + Guid.NewGuid().ToString("N")[..6];
        string[] products = [.. Enumerable.Range(0, 4).Select(i => $"{burst}-{i}")];
        await host.IngestAsync(products.SelectMany(p => DashboardHost.CompetitorDrop(p, DashboardHost.Start + (150 * DashboardHost.Minute))));
        foreach (string product in products)
        {
            await page.Locator($"#signals tbody tr:has-text('{product}')").First.WaitForAsync(new() { Timeout = 30_000 });
            await page.Locator($"#decisions tbody tr.decision:has-text('{product}')").First.WaitForAsync(new() { Timeout = 30_000 });
        }

        // The live marker says updates were summarised and the tables read again.
        Assert.Contains("arrived only as counts", await page.GetAttributeAsync("#live", "title") ?? "", StringComparison.Ordinal);
        Assert.True(session.Errors.Count == 0, string.Join("\n", session.Errors));
    }

    [BrowserFact]
    public async Task A_kept_key_that_is_refused_now_leaves_the_market_to_anonymous_viewing()
    {
        await using var session = await fixture.OpenAsync();
        using var log = new SessionLog(session, output);
        var page = session.Page;
        await page.GotoAsync(fixture.Host.Address + "dashboard/");
        await PageWaits.WaitAsync(page, "() => Number(document.getElementById('chart-trend').dataset.points || 0) > 0", "the first product's trend");
        await page.EvaluateAsync("() => sessionStorage.setItem('priceintel.apiKey', 'revoked-key-0123456789')");
        await page.ReloadAsync();
        await PageWaits.WaitAsync(page, "() => document.getElementById('kpi-products').textContent !== '–' && Number(document.getElementById('chart-trend').dataset.points || 0) > 0", "the market, read anonymously");
        Assert.Equal("viewing anonymously (the API key was refused)", await page.InnerTextAsync("#who"));
        Assert.True(await page.IsVisibleAsync("#apikey"), "no way to sign in again");
    }

    [BrowserFact]
    public async Task The_product_looked_at_last_loads_first_unless_it_left_the_catalog()
    {
        await using var session = await fixture.OpenAsync();
        using var log = new SessionLog(session, output);
        var page = session.Page;
        await page.GotoAsync(fixture.Host.Address + "dashboard/");
        // The first load remembers the product it shows: let it finish before planting another, or it overwrites it.
        await PageWaits.WaitAsync(page, "() => Number(document.getElementById('chart-trend').dataset.points || 0) > 0", "the first product's trend");
        await page.EvaluateAsync("() => localStorage.setItem('priceintel.product', 'SKU-004')");
        await page.ReloadAsync();
        await PageWaits.WaitAsync(page, "() => document.getElementById('product').value === 'SKU-004' && Number(document.getElementById('chart-trend').dataset.points || 0) > 0", "the remembered product's trend");

        // A remembered product that is no longer in the catalog gives way to the market's busiest, with no failed request.
        await page.EvaluateAsync("() => localStorage.setItem('priceintel.product', 'GONE-1')");
        await page.ReloadAsync();
        await PageWaits.WaitAsync(page, "() => /^SKU-/.test(document.getElementById('product').value) && Number(document.getElementById('chart-trend').dataset.points || 0) > 0", "the busiest product instead");
        Assert.True(session.Errors.Count == 0, string.Join("\n", session.Errors));
    }

    [BrowserFact]
    public async Task Filters_show_only_matching_signals()
    {
        await fixture.Host.IngestAsync(DashboardHost.CompetitorDrop("FILTER-1", DashboardHost.Start + (150 * DashboardHost.Minute)));
        await fixture.Host.IngestAsync(DashboardHost.CompetitorDrop("FILTER-2", DashboardHost.Start + (150 * DashboardHost.Minute)));
        await using var session = await fixture.OpenAsync();
        using var log = new SessionLog(session, output);
        var page = session.Page;
        await page.GotoAsync(fixture.Host.Address + "dashboard/");
        await PageWaits.ExpectTextAsync(page, "#live", "● live");
        await page.SelectOptionAsync("#filter-ack", "");

        // Kind: only competitor price drops, and at least the two just ingested.
        await page.SelectOptionAsync("#filter-kind", "competitor_price_drop");
        await RowsAsync(page, "tr => tr.innerText.includes('competitor price drop')", atLeast: 2, "only competitor price drops");

        // A kind with no signals in this market: the table says so.
        await page.SelectOptionAsync("#filter-kind", "demand_surge");
        await PageWaits.ExpectTextAsync(page, "#signals tbody", "no signals match");

        // This product only: the rows of FILTER-2 and nothing else.
        await page.SelectOptionAsync("#filter-kind", "");
        await page.FillAsync("#product", "FILTER-2");
        await page.DispatchEventAsync("#product", "change");
        await page.CheckAsync("#filter-product");
        await RowsAsync(page, "tr => tr.querySelector('td:nth-child(4)').innerText === 'FILTER-2'", atLeast: 1, "only FILTER-2's signals");

        // Severity: critical only, or nothing.
        await page.UncheckAsync("#filter-product");
        await page.SelectOptionAsync("#filter-severity", "critical");
        await PageWaits.WaitAsync(page, "() => [...document.querySelectorAll('#signals tbody tr')].every(tr => tr.dataset.severity === 'critical' || tr.innerText.includes('no signals match'))", "only critical signals");
        Assert.True(session.Errors.Count == 0, string.Join("\n", session.Errors));
    }

    [BrowserFact]
    public async Task Without_anonymous_reading_the_page_asks_for_a_key_and_shows_the_market_after_sign_in()
    {
        await using var host = await DashboardHost.StartAsync(anonymousRead: false).WaitAsync(TimeSpan.FromSeconds(60));
        await host.AddCatalogAsync(2);
        await host.IngestAsync(DashboardHost.Market(2, DashboardHost.Start));
        await using var session = await fixture.OpenAsync();
        using var log = new SessionLog(session, output);
        var page = session.Page;
        await page.GotoAsync(host.Address + "dashboard/");
        await PageWaits.ExpectTextAsync(page, "#banner", "Sign in");
        Assert.Equal("–", await page.InnerTextAsync("#kpi-products"));
        await SignInAsync(page, DashboardHost.ViewerKey);
        await PageWaits.ExpectTextAsync(page, "#kpi-products", "2");
        await PageWaits.ExpectTextAsync(page, "#who", "viewer");
    }

    [BrowserFact]
    public async Task The_range_buttons_show_the_range_picked_with_coarser_buckets_for_long_ranges()
    {
        // Ten days of three competitors' prices every 10 minutes: 4,320 minute buckets, more than one request's 1,000.
        await using var host = await DashboardHost.StartAsync().WaitAsync(TimeSpan.FromSeconds(60));
        const string Sku = "SKU-LONG";
        long start = DashboardHost.Start - (10 * 24 * 60 * DashboardHost.Minute);
        await host.IngestAsync(DashboardHost.LongHistory(Sku, start, days: 10));
        await using var session = await fixture.OpenAsync();
        using var log = new SessionLog(session, output);
        var page = session.Page;
        await page.GotoAsync(host.Address + "dashboard/");
        await PageWaits.ExpectTextAsync(page, "#live", "● live");
        await page.FillAsync("#product", Sku);
        await page.DispatchEventAsync("#product", "change");

        // At first: the newest minute buckets, which reach back less than three days.
        const double Day = 86_400_000;
        var first = await TrendAsync(page, "minute", _ => true, "the trend to draw minute buckets");
        Assert.True(first.SpanMs < 3 * Day, $"minute buckets span {first.SpanMs / Day:F2} days");

        // "1w": hour buckets that reach a week back from the newest price.
        await RangeButtonAsync(page, "1w");
        var week = await TrendAsync(page, "hour", t => t.SpanMs >= 6.9 * Day, "hour buckets over a week");
        Assert.True(week.Points <= 5_000, $"{week.Points} points drawn");
        Assert.True(first.NewestMs - week.NewestMs < 3_600_000, "the hour buckets do not reach the newest price"); // an hour bucket starts on the hour

        // "6h": minute buckets again, of that range only (with a quarter of it more to pan into).
        await RangeButtonAsync(page, "6h");
        var hours = await TrendAsync(page, "minute", t => t.SpanMs <= 8 * 3_600_000, "minute buckets over six hours");
        Assert.True(hours.SpanMs >= 6 * 3_600_000, $"minute buckets span {hours.SpanMs / 3_600_000:F1} h");

        // "all": the whole ten days; their 4,320 minute buckets are more than a draw holds, so hour buckets.
        await RangeButtonAsync(page, "all");
        var all = await TrendAsync(page, "hour", t => t.SpanMs >= 9.9 * Day, "hour buckets over the whole history");
        Assert.True(all.Points <= 5_000, $"{all.Points} points drawn");

        // Zooming to 12 hours at the start of the history (9 days before the newest price): minute buckets of that range.
        double oldest = all.NewestMs - all.SpanMs, from = oldest + (Day / 2), to = from + (Day / 2);
        await page.EvaluateAsync("([a, b]) => Plotly.relayout('chart-trend', { 'xaxis.range[0]': new Date(a).toISOString(), 'xaxis.range[1]': new Date(b).toISOString() })", new[] { from, to });
        var zoomed = await TrendAsync(page, "minute", t => t.NewestMs - t.SpanMs <= from && t.NewestMs >= to, "minute buckets over the zoomed range");
        Assert.True(zoomed.NewestMs < to + Day, $"minute buckets reach {(zoomed.NewestMs - to) / Day:F2} days past the range");
        Assert.True(session.Errors.Count == 0, string.Join("\n", session.Errors));
    }

    private sealed record TrendView(string Size, double SpanMs, double NewestMs, int Points);

    /// <summary>Waits until the trend is drawn with buckets of <paramref name="size"/> and the acme line passes <paramref name="check"/>.</summary>
    private static async Task<TrendView> TrendAsync(IPage page, string size, Func<TrendView, bool> check, string what)
    {
        TrendView? last = null;
        for (var until = DateTime.UtcNow.AddSeconds(30); DateTime.UtcNow < until; await Task.Delay(200))
        {
            double[]? v = await page.EvaluateAsync<double[]?>("""
                () => { const n = document.getElementById('chart-trend'); const t = (n.data || []).find(x => x.name === 'acme');
                        if (!t || !t.x.length || !n.layout?.meta) return null;
                        const ms = t.x.map(x => Date.parse(x)); const size = ['minute', 'hour', 'day'].indexOf(n.layout.meta.size);
                        return [size, Math.max(...ms) - Math.min(...ms), Math.max(...ms), Number(n.dataset.points || 0)]; }
                """);
            if (v is not null)
            {
                last = new TrendView(((string[])["minute", "hour", "day"])[(int)v[0]], v[1], v[2], (int)v[3]);
                if (last.Size == size && check(last))
                {
                    return last;
                }
            }
        }

        Assert.Fail($"waited for {what}; last drawn: {last}");
        return null!;
    }

    private static Task RangeButtonAsync(IPage page, string label) =>
        page.Locator("#chart-trend .rangeselector .button", new() { HasText = label }).ClickAsync();

    /// <summary>Waits (the store records demand as the engine processes it, the page reloads it every 10 s) until the chart's totals are the API's, and not zero.</summary>
    private async Task ProductDemandMatchesApiAsync(IPage page, string sku)
    {
        await page.Locator("#chart-product-demand").ScrollIntoViewIfNeededAsync();
        using var client = fixture.Host.Client(DashboardHost.ViewerKey);
        string last = "";
        for (var until = DateTime.UtcNow.AddSeconds(40); DateTime.UtcNow < until; await Task.Delay(250))
        {
            var buckets = (await client.GetFromJsonAsync<JsonElement>($"/api/products/{sku}/demand?bucket=hour&limit=168")).GetProperty("buckets").EnumerateArray().ToList();
            long[] api = [buckets.Count, buckets.Sum(b => b.GetProperty("views").GetInt64()), buckets.Sum(b => b.GetProperty("purchases").GetInt64())];
            long[] chart = await page.EvaluateAsync<long[]>("""
                () => { const d = document.getElementById('chart-product-demand').data || [];
                        const t = n => d.find(x => x.name === n) || { x: [], y: [] };
                        return [t('views').x.length, t('views').y.reduce((a, b) => a + b, 0), t('purchases').y.reduce((a, b) => a + b, 0)]; }
                """);
            last = $"API {string.Join('/', api)}, chart {string.Join('/', chart)} (buckets/views/purchases)";
            if (api[1] > 0 && api.SequenceEqual(chart))
            {
                return;
            }
        }

        Assert.Fail($"{sku}: the product demand chart never matched the API: {last}");
    }

    /// <summary>Acknowledge in the row: the button opens a note field, OK sends it.</summary>
    private static async Task AcknowledgeAsync(IPage page, string signalId, string note)
    {
        var row = page.Locator($"#signals tbody tr[data-id='{signalId}']");
        await row.Locator("button.ack").ClickAsync();
        await row.Locator("input.ack-note").FillAsync(note);
        await row.Locator("button.ack-ok").ClickAsync();
    }

    private async Task<bool> IsAcknowledgedAsync(string signalId)
    {
        using var client = fixture.Host.Client(DashboardHost.ViewerKey);
        var signal = await client.GetFromJsonAsync<JsonElement>($"/api/signals/{signalId}");
        return signal.GetProperty("acknowledged").GetBoolean();
    }

    private static Task RowsAsync(IPage page, string predicate, int atLeast, string what) =>
        PageWaits.WaitAsync(page, $"() => {{ const rows = [...document.querySelectorAll('#signals tbody tr[data-id]')]; return rows.length >= {atLeast} && rows.every({predicate}); }}", what);

    private static async Task SignInAsync(IPage page, string key)
    {
        await page.FillAsync("#apikey", key);
        await page.ClickAsync("#signin-button");
        await PageWaits.ExpectTextAsync(page, "#who", "signed in");
    }
}

/// <summary>Waits with a time limit that fail with what was awaited and what the page shows.</summary>
internal static class PageWaits
{
    public static async Task WaitAsync(IPage page, string function, string what, float timeout = 30_000)
    {
        try
        {
            await page.WaitForFunctionAsync(function, null, new() { Timeout = timeout, PollingInterval = 100 });
        }
        catch (TimeoutException)
        {
            Assert.Fail($"waited {timeout / 1000:0} s for {what}");
        }
    }

    public static async Task ExpectTextAsync(IPage page, string selector, string text, float timeout = 30_000)
    {
        try
        {
            await page.WaitForFunctionAsync(
                "([s, t]) => [...document.querySelectorAll(s)].some(e => e.innerText.includes(t))", new object[] { selector, text }, new() { Timeout = timeout, PollingInterval = 100 });
        }
        catch (TimeoutException)
        {
            string actual = await page.Locator(selector).First.InnerTextAsync(new() { Timeout = 1_000 });
            Assert.Fail($"'{selector}' never showed '{text}'; it shows '{actual}'");
        }
    }
}

/// <summary>Writes a session's console and network log to the test output when the test ends (shown for a failing test).</summary>
internal sealed class SessionLog(BrowserSession session, ITestOutputHelper output) : IDisposable
{
    public void Dispose()
    {
        foreach (string line in session.Log.ToArray().TakeLast(200))
        {
            output.WriteLine(line);
        }
    }
}
