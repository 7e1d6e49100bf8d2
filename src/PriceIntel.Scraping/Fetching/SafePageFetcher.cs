using System.Collections.Concurrent;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace PriceIntel.Scraping;

/// <summary>
/// The polite, SSRF-safe fetcher: robots.txt (RFC 9309, cached), per-host rate and concurrency
/// (System.Threading.RateLimiting, partitioned by host), Retry-After, retries with jittered exponential
/// backoff, a circuit breaker per host and per-attempt timeouts (Polly, through
/// Microsoft.Extensions.Http.Resilience on <see cref="IHttpClientFactory"/> clients), a decompressed size
/// limit, a redirect limit with every hop re-checked, and an address check inside the connect step, after
/// DNS resolution, so a name that resolves (or re-resolves) to a private address is refused.
/// </summary>
internal sealed partial class SafePageFetcher : IPageFetcher
{
    private const int MaxRobotsBytes = 512 * 1024;
    private const int RobotsRedirects = 5;
    private static readonly TimeSpan UnreachableRobotsRetry = TimeSpan.FromMinutes(10);

    private readonly FetcherOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly IHttpClientFactory _clients;
    private readonly ServiceProvider? _owned;
    private readonly ConcurrentDictionary<string, RobotsEntry> _robots = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _robotsLocks = new(StringComparer.OrdinalIgnoreCase);

    static SafePageFetcher() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    /// <summary>A fetcher with its own client factory (disposed with it).</summary>
    public SafePageFetcher(FetcherOptions options, TimeProvider time, ILogger? logger, Func<string, CancellationToken, Task<IPAddress[]>>? resolve = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton(time);
        services.AddSingleton(new FetchSettings(options, logger, resolve));
        FetchClients.Add(services);
        var provider = services.BuildServiceProvider();
        _owned = provider;
        _options = options;
        _time = time;
        _logger = logger ?? NullLogger.Instance;
        _clients = provider.GetRequiredService<IHttpClientFactory>();
    }

    /// <summary>A fetcher on an application's client factory, where <see cref="FetchClients.Add"/> registered the clients.</summary>
    public SafePageFetcher(FetchSettings settings, TimeProvider time, IHttpClientFactory clients)
    {
        _options = settings.Options;
        _time = time;
        _logger = settings.Logger;
        _clients = clients;
    }

    private sealed record RobotsEntry(RobotsTxt Rules, DateTimeOffset Expires, FetchOutcome? Failure, string? Reason);

    public Task<FetchResult> FetchAsync(Uri url, CancellationToken cancellationToken) => FetchAsync(url, FetchRequest.None, cancellationToken);

    public async Task<FetchResult> FetchAsync(Uri url, FetchRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(url);
        ArgumentNullException.ThrowIfNull(request);
        if (!url.IsAbsoluteUri)
        {
            throw new ArgumentException($"The URL '{url}' is not absolute.", nameof(url));
        }

        var current = url;
        for (int hop = 0; ; hop++)
        {
            if (!IsHttp(current))
            {
                return Fail(FetchOutcome.UnsupportedScheme, url, current, 0, $"scheme '{current.Scheme}' is not http or https", 0);
            }

            if (PreResolvedBlock(current) is { } blocked)
            {
                return Fail(FetchOutcome.BlockedAddress, url, current, 0, blocked, 0);
            }

            if (_options.RespectRobotsTxt)
            {
                var robots = await GetRobotsAsync(current, cancellationToken).ConfigureAwait(false);
                if (robots.Failure is { } failure)
                {
                    return Fail(failure, url, current, 0, robots.Reason, 0);
                }

                if (!robots.Rules.IsAllowed(current))
                {
                    return Fail(FetchOutcome.DisallowedByRobots, url, current, 0, $"robots.txt of {current.Authority} disallows {current.PathAndQuery}", 0);
                }
            }

            var (result, location) = await FetchOneAsync(url, current, request, cancellationToken).ConfigureAwait(false);
            if (location is null)
            {
                return result;
            }

            if (hop >= _options.MaxRedirects)
            {
                return Fail(FetchOutcome.TooManyRedirects, url, current, result.StatusCode, $"more than {_options.MaxRedirects} redirects", result.Attempts);
            }

            LogRedirect(_logger, current, location);
            current = location;
        }
    }

    /// <summary>One URL; retries, pacing and timeouts happen inside the client. Returns a redirect target instead of following it.</summary>
    private async Task<(FetchResult Result, Uri? Location)> FetchOneAsync(Uri requested, Uri url, FetchRequest conditions, CancellationToken cancellationToken)
    {
        var attempts = new StrongBox<int>();
        using var request = NewRequest(url, conditions);
        request.Options.Set(HostLimits.Interval, Interval(url));
        request.Options.Set(HostLimits.Attempts, attempts);
        int status = 0;
        try
        {
            var client = _clients.CreateClient(FetchClients.Pages);
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            status = (int)response.StatusCode;
            int attempt = Math.Max(1, attempts.Value);
            if (status == 304)
            {
                return (new FetchResult(FetchOutcome.NotModified, requested, url, status, null, null, "not modified", attempt) { ETag = response.Headers.ETag?.ToString() ?? conditions.IfNoneMatch, LastModified = response.Content.Headers.LastModified ?? conditions.IfModifiedSince }, null);
            }

            if (status is >= 300 and < 400 && response.Headers.Location is { } location)
            {
                var target = location.IsAbsoluteUri ? location : new Uri(url, location);
                return (new FetchResult(FetchOutcome.HttpError, requested, url, status, null, null, "redirect", attempt), target);
            }

            if (response.IsSuccessStatusCode)
            {
                using var bodyTimeout = new CancellationTokenSource(_options.RequestTimeout, _time);
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, bodyTimeout.Token);
                return (await ReadBodyAsync(requested, url, response, attempt, linked.Token).ConfigureAwait(false), null);
            }

            if (status is 429 or 503 && HostPacingHandler.RetryAfter(response.Headers.RetryAfter, _time) is { } wait && wait > _options.MaxRetryAfter)
            {
                return (Fail(FetchOutcome.RateLimited, requested, url, status, $"HTTP {status}: Retry-After {wait.TotalSeconds:0} s is longer than the {_options.MaxRetryAfter.TotalSeconds:0} s allowed", attempt), null);
            }

            bool retryable = status is 429 or 500 or 502 or 503 or 504;
            var reason = retryable && attempt > 1 ? $"HTTP {status} (after {attempt} attempts)" : $"HTTP {status}";
            return (Fail(status == 429 ? FetchOutcome.RateLimited : FetchOutcome.HttpError, requested, url, status, reason, attempt), null);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (Fail(FetchOutcome.Timeout, requested, url, status, $"no complete body within {_options.RequestTimeout.TotalMilliseconds:0} ms", Math.Max(1, attempts.Value)), null);
        }
        catch (TimeoutRejectedException)
        {
            return (Fail(FetchOutcome.Timeout, requested, url, status, $"no response within {_options.RequestTimeout.TotalMilliseconds:0} ms (after {attempts.Value} attempts)", attempts.Value), null);
        }
        catch (BrokenCircuitException e)
        {
            return (Fail(FetchOutcome.CircuitOpen, requested, url, status, $"{url.Authority} failed too often lately; circuit open ({e.Message})", attempts.Value), null);
        }
        catch (HttpRequestException e) when (FetchClients.FindBlocked(e) is { } blocked)
        {
            return (Fail(FetchOutcome.BlockedAddress, requested, url, 0, blocked.Message, Math.Max(1, attempts.Value)), null);
        }
        catch (HttpRequestException e)
        {
            var reason = e.HttpRequestError == HttpRequestError.Unknown ? e.Message : $"{e.HttpRequestError}: {e.Message}";
            return (Fail(FetchOutcome.NetworkError, requested, url, status, $"{reason} (after {attempts.Value} attempts)", attempts.Value), null);
        }
        catch (Exception e) when (e is IOException or InvalidDataException)
        {
            return (Fail(FetchOutcome.NetworkError, requested, url, status, $"reading the response failed: {e.Message}", Math.Max(1, attempts.Value)), null);
        }
    }

    private async Task<FetchResult> ReadBodyAsync(Uri requested, Uri url, HttpResponseMessage response, int attempt, CancellationToken cancellationToken)
    {
        int status = (int)response.StatusCode;
        var mediaType = response.Content.Headers.ContentType?.MediaType;
        if (mediaType is not null && !IsTextual(mediaType))
        {
            return Fail(FetchOutcome.UnsupportedContent, requested, url, status, $"content type {mediaType} is not HTML or text", attempt);
        }

        // Content-Length is the compressed size when the body is encoded; the decompressed count below is what binds.
        if (response.Content.Headers.ContentLength is { } length && length > _options.MaxResponseBytes && response.Content.Headers.ContentEncoding.Count == 0)
        {
            return Fail(FetchOutcome.TooLarge, requested, url, status, $"Content-Length {length} exceeds {_options.MaxResponseBytes} bytes", attempt);
        }

        var bytes = await ReadLimitedAsync(response.Content, _options.MaxResponseBytes, cancellationToken).ConfigureAwait(false);
        if (bytes is null)
        {
            return Fail(FetchOutcome.TooLarge, requested, url, status, $"body exceeds {_options.MaxResponseBytes} bytes after decompression", attempt);
        }

        var body = Decode(bytes, response.Content.Headers.ContentType?.CharSet);
        return new FetchResult(FetchOutcome.Ok, requested, url, status, body, mediaType, null, attempt) { ETag = response.Headers.ETag?.ToString(), LastModified = response.Content.Headers.LastModified };
    }

    /// <summary>Reads at most <paramref name="limit"/> bytes; null when there are more.</summary>
    private static async Task<byte[]?> ReadLimitedAsync(HttpContent content, long limit, CancellationToken cancellationToken)
    {
        var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using var streamLifetime = stream.ConfigureAwait(false);
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        while (true)
        {
            int read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return buffer.ToArray();
            }

            if (buffer.Length + read > limit)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }
    }

    private static string Decode(byte[] bytes, string? charset)
    {
        var encoding = TryEncoding(charset) ?? SniffMetaCharset(bytes) ?? Encoding.UTF8;
        var preamble = encoding.Preamble;
        int skip = preamble.Length > 0 && bytes.AsSpan().StartsWith(preamble) ? preamble.Length : 0;
        return encoding.GetString(bytes, skip, bytes.Length - skip);
    }

    private static Encoding? SniffMetaCharset(byte[] bytes)
    {
        var head = Encoding.ASCII.GetString(bytes, 0, Math.Min(bytes.Length, 2048));
        int at = head.IndexOf("charset=", StringComparison.OrdinalIgnoreCase);
        if (at < 0)
        {
            return null;
        }

        int start = at + 8;
        while (start < head.Length && head[start] is '"' or '\'')
        {
            start++;
        }

        int end = start;
        while (end < head.Length && (char.IsAsciiLetterOrDigit(head[end]) || head[end] is '-' or '_'))
        {
            end++;
        }

        return TryEncoding(head[start..end]);
    }

    private static Encoding? TryEncoding(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return null;
        }

        try
        {
            return Encoding.GetEncoding(name.Trim('"', '\'', ' '));
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    private static bool IsTextual(string mediaType) =>
        mediaType.StartsWith("text/", StringComparison.OrdinalIgnoreCase) || mediaType.Equals("application/xhtml+xml", StringComparison.OrdinalIgnoreCase) ||
        mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) || mediaType.Equals("application/ld+json", StringComparison.OrdinalIgnoreCase) ||
        mediaType.Equals("application/xml", StringComparison.OrdinalIgnoreCase) || mediaType.EndsWith("+xml", StringComparison.OrdinalIgnoreCase) ||
        mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase) || mediaType.Equals("application/csv", StringComparison.OrdinalIgnoreCase) ||
        mediaType.EndsWith("javascript", StringComparison.OrdinalIgnoreCase) || mediaType.Equals("application/ecmascript", StringComparison.OrdinalIgnoreCase);

    private HttpRequestMessage NewRequest(Uri url, FetchRequest? conditions = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.TryAddWithoutValidation("User-Agent", _options.UserAgent);
        request.Headers.Accept.ParseAdd(conditions?.Accept ?? "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5");
        if (conditions?.IfNoneMatch is { Length: > 0 } etag)
        {
            request.Headers.TryAddWithoutValidation("If-None-Match", etag);
        }

        if (conditions?.IfModifiedSince is { } since)
        {
            request.Headers.IfModifiedSince = since;
        }

        return request;
    }

    private async Task<RobotsEntry> GetRobotsAsync(Uri url, CancellationToken cancellationToken)
    {
        var origin = url.GetLeftPart(UriPartial.Authority);
        if (_robots.TryGetValue(origin, out var cached) && cached.Expires > _time.GetUtcNow())
        {
            return cached;
        }

        var gate = _robotsLocks.GetOrAdd(origin, static _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_robots.TryGetValue(origin, out cached) && cached.Expires > _time.GetUtcNow())
            {
                return cached;
            }

            var entry = await FetchRobotsAsync(new Uri(origin + "/robots.txt"), cancellationToken).ConfigureAwait(false);
            _robots[origin] = entry;
            return entry;
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task<RobotsEntry> FetchRobotsAsync(Uri robotsUrl, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var url = robotsUrl;
        for (int hop = 0; hop <= RobotsRedirects; hop++)
        {
            if (!IsHttp(url))
            {
                return new RobotsEntry(RobotsTxt.AllowAll, now + _options.RobotsCacheDuration, null, null); // redirect away from http(s): treat as missing
            }

            {
                using var timeout = new CancellationTokenSource(_options.RequestTimeout, _time);
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
                try
                {
                    using var request = NewRequest(url);
                    request.Options.Set(HostLimits.Interval, Interval(url));
                    using var response = await _clients.CreateClient(FetchClients.Robots).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
                    int status = (int)response.StatusCode;
                    if (status is >= 300 and < 400 && response.Headers.Location is { } location)
                    {
                        url = location.IsAbsoluteUri ? location : new Uri(url, location);
                        continue;
                    }

                    if (response.IsSuccessStatusCode)
                    {
                        var bytes = await ReadPrefixAsync(response.Content, MaxRobotsBytes, linked.Token).ConfigureAwait(false);
                        var rules = RobotsTxt.Parse(Decode(bytes, response.Content.Headers.ContentType?.CharSet), _options.ProductToken);
                        return new RobotsEntry(rules, now + _options.RobotsCacheDuration, null, null);
                    }

                    if (status is >= 400 and < 500 && status != 429)
                    {
                        return new RobotsEntry(RobotsTxt.AllowAll, now + _options.RobotsCacheDuration, null, null); // RFC 9309 2.3.1.3: unavailable
                    }

                    return Unreachable(now, $"robots.txt of {url.Authority} answered HTTP {status}; RFC 9309 treats that as disallow-all");
                }
                catch (Exception e) when (e is TimeoutRejectedException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
                {
                    return Unreachable(now, $"robots.txt of {url.Authority} timed out; treated as disallow-all");
                }
                catch (HttpRequestException e) when (FetchClients.FindBlocked(e) is { } blocked)
                {
                    return new RobotsEntry(RobotsTxt.DisallowAll, now + UnreachableRobotsRetry, FetchOutcome.BlockedAddress, blocked.Message);
                }
                catch (HttpRequestException e)
                {
                    return Unreachable(now, $"robots.txt of {url.Authority} unreachable ({e.Message}); treated as disallow-all");
                }
            }
        }

        // RFC 9309 2.3.1.2: after five redirects a crawler may treat robots.txt as unavailable, which allows.
        return new RobotsEntry(RobotsTxt.AllowAll, now + _options.RobotsCacheDuration, null, null);
    }

    private static RobotsEntry Unreachable(DateTimeOffset now, string reason) =>
        new(RobotsTxt.DisallowAll, now + UnreachableRobotsRetry, FetchOutcome.DisallowedByRobots, reason);

    /// <summary>The first <paramref name="limit"/> bytes; RFC 9309 asks crawlers to parse at least 500 KiB and may ignore the rest.</summary>
    private static async Task<byte[]> ReadPrefixAsync(HttpContent content, int limit, CancellationToken cancellationToken)
    {
        var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using var streamLifetime = stream.ConfigureAwait(false);
        var buffer = new byte[limit];
        int total = 0;
        while (total < limit)
        {
            int read = await stream.ReadAsync(buffer.AsMemory(total), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        return buffer[..total];
    }

    /// <summary>Refuses an IP literal in the URL before any request (the connect step checks names after resolution).</summary>
    private string? PreResolvedBlock(Uri url) =>
        url.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6 && IPAddress.TryParse(url.DnsSafeHost, out var ip) && !AddressPolicy.IsAllowed(ip, _options)
            ? $"{url.Host} is a {AddressPolicy.Classify(ip).ToString().ToLowerInvariant()} address; set AllowLoopback or AllowPrivateNetworks to reach it"
            : null;

    private static bool IsHttp(Uri url) => url.IsAbsoluteUri && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps);

    private TimeSpan Interval(Uri url)
    {
        var interval = _options.PerHostMinInterval;
        if (_robots.TryGetValue(url.GetLeftPart(UriPartial.Authority), out var robots) && robots.Rules.CrawlDelay is { } delay && delay > interval)
        {
            interval = delay;
        }

        return interval;
    }

    private FetchResult Fail(FetchOutcome outcome, Uri requested, Uri url, int status, string? reason, int attempts)
    {
        LogFailure(_logger, url, outcome, reason ?? "");
        return new FetchResult(outcome, requested, url, status, null, null, reason, attempts);
    }

    public void Dispose() => _owned?.Dispose();

    [LoggerMessage(Level = LogLevel.Debug, Message = "Redirect {From} -> {To}")]
    private static partial void LogRedirect(ILogger logger, Uri from, Uri to);

    [LoggerMessage(Level = LogLevel.Information, Message = "Fetch of {Url} ended {Outcome}: {Reason}")]
    private static partial void LogFailure(ILogger logger, Uri url, FetchOutcome outcome, string reason);
}
