using Microsoft.Extensions.Logging;
using Microsoft.Playwright;

namespace PriceIntel.Scraping.Rendering;

/// <summary>Renders configured hosts in headless Chromium; every request the page makes goes through the inner fetcher.</summary>
internal sealed partial class ChromiumPageFetcher(IPageFetcher inner, RenderingOptions options, ILogger logger) : IPageFetcher
{
    private readonly SemaphoreSlim _pages = new(options.MaxConcurrentPages, options.MaxConcurrentPages);
    private readonly SemaphoreSlim _launch = new(1, 1);
    private IPlaywright? _playwright;
    private IBrowser? _browser;
    private bool _disposed;

    public Task<FetchResult> FetchAsync(Uri url, CancellationToken cancellationToken) => FetchAsync(url, FetchRequest.None, cancellationToken);

    public async Task<FetchResult> FetchAsync(Uri url, FetchRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(url);
        ArgumentNullException.ThrowIfNull(request);
        if (!url.IsAbsoluteUri)
        {
            throw new ArgumentException($"The URL '{url}' is not absolute.", nameof(url));
        }

        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!options.Renders(url.Host))
        {
            return await inner.FetchAsync(url, request, cancellationToken).ConfigureAwait(false);
        }

        // The page itself comes through the inner fetcher: robots.txt, limits, redirects and the address policy.
        var document = await inner.FetchAsync(url, cancellationToken).ConfigureAwait(false);
        if (!document.IsSuccess)
        {
            return document;
        }

        await _pages.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var browser = await BrowserAsync().ConfigureAwait(false);
            return await RenderAsync(browser, document, cancellationToken).ConfigureAwait(false);
        }
        catch (PlaywrightException e)
        {
            LogRenderFailed(logger, url, e.Message);
            return new FetchResult(FetchOutcome.NetworkError, url, document.FinalUrl, document.StatusCode, null, null, $"rendering failed: {e.Message}", document.Attempts);
        }
        catch (TimeoutException e)
        {
            return new FetchResult(FetchOutcome.Timeout, url, document.FinalUrl, document.StatusCode, null, null, $"rendering took longer than {options.RenderTimeout.TotalSeconds:0} s: {e.Message}", document.Attempts);
        }
        finally
        {
            _pages.Release();
        }
    }

    private async Task<FetchResult> RenderAsync(IBrowser browser, FetchResult document, CancellationToken cancellationToken)
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            JavaScriptEnabled = true,
            ServiceWorkers = ServiceWorkerPolicy.Block,
            AcceptDownloads = false,
            IgnoreHTTPSErrors = false,
        }).ConfigureAwait(false);
        await using var contextLifetime = context.ConfigureAwait(false);
        int blocked = 0;
        bool documentServed = false;
        await context.RouteAsync("**/*", async route =>
        {
            var request = route.Request;
            if (!documentServed && request.IsNavigationRequest && request.Url == document.FinalUrl.AbsoluteUri)
            {
                documentServed = true;
                await route.FulfillAsync(new RouteFulfillOptions { Status = 200, ContentType = "text/html; charset=utf-8", Body = document.Body }).ConfigureAwait(false);
                return;
            }

            if (request.Method != "GET" || request.ResourceType is not ("document" or "script" or "xhr" or "fetch") || !Uri.TryCreate(request.Url, UriKind.Absolute, out var target))
            {
                Interlocked.Increment(ref blocked);
                await route.AbortAsync("blockedbyclient").ConfigureAwait(false);
                return;
            }

            var fetched = await inner.FetchAsync(target, new FetchRequest { Accept = "*/*" }, cancellationToken).ConfigureAwait(false);
            if (!fetched.IsSuccess)
            {
                Interlocked.Increment(ref blocked);
                LogSubrequestBlocked(logger, target, fetched.Outcome, fetched.Reason);
                await route.AbortAsync(fetched.Outcome is FetchOutcome.BlockedAddress or FetchOutcome.DisallowedByRobots ? "blockedbyclient" : "failed").ConfigureAwait(false);
                return;
            }

            await route.FulfillAsync(new RouteFulfillOptions { Status = 200, ContentType = fetched.ContentType ?? "application/octet-stream", Body = fetched.Body }).ConfigureAwait(false);
        }).ConfigureAwait(false);
        await context.RouteWebSocketAsync("**/*", static ws => ws.CloseAsync()).ConfigureAwait(false);

        var page = await context.NewPageAsync().ConfigureAwait(false);
        await page.GotoAsync(document.FinalUrl.AbsoluteUri, new PageGotoOptions
        {
            WaitUntil = WaitUntilState.NetworkIdle,
            Timeout = (float)options.RenderTimeout.TotalMilliseconds,
        }).WaitAsync(cancellationToken).ConfigureAwait(false);
        var html = await page.ContentAsync().ConfigureAwait(false);
        return new FetchResult(FetchOutcome.Ok, document.RequestedUrl, document.FinalUrl, document.StatusCode, html, "text/html", null, document.Attempts)
        {
            ETag = document.ETag,
            LastModified = document.LastModified,
        };
    }

    private async Task<IBrowser> BrowserAsync()
    {
        if (_browser is { } ready)
        {
            return ready;
        }

        await _launch.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_browser is null)
            {
                if (!File.Exists(options.ExecutablePath))
                {
                    throw new PlaywrightException($"no Chromium at {options.ExecutablePath} (install Debian's chromium package or set RenderingOptions.ExecutablePath)");
                }

                _playwright ??= await Playwright.CreateAsync().ConfigureAwait(false);
                _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
                {
                    ExecutablePath = options.ExecutablePath,
                    Headless = true,
                    Args = [.. options.BrowserArguments],
                }).ConfigureAwait(false);
            }

            return _browser;
        }
        finally
        {
            _launch.Release();
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            _browser?.CloseAsync().GetAwaiter().GetResult(); // Dispose is the blocking API here
        }
        catch (PlaywrightException)
        {
            // The browser is gone already.
        }

        _playwright?.Dispose();
        inner.Dispose();
        _pages.Dispose();
        _launch.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rendering {Url} failed: {Reason}")]
    private static partial void LogRenderFailed(ILogger logger, Uri url, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Blocked a request of a rendered page to {Url}: {Outcome} {Reason}")]
    private static partial void LogSubrequestBlocked(ILogger logger, Uri url, FetchOutcome outcome, string? reason);
}
