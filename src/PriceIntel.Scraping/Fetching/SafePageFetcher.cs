using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace PriceIntel.Scraping;

/// <summary>
/// The polite, SSRF-safe fetcher: robots.txt (RFC 9309, cached), per-host rate and concurrency,
/// Retry-After, retries with jittered exponential backoff, timeouts, a decompressed size limit, a
/// redirect limit with every hop re-checked, and an address check inside the connect step, after
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
    private readonly Func<string, CancellationToken, Task<IPAddress[]>> _resolve;
    private readonly HttpClient _client;
    private readonly ConcurrentDictionary<string, HostGate> _gates = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, RobotsEntry> _robots = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _robotsLocks = new(StringComparer.OrdinalIgnoreCase);

    static SafePageFetcher() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    public SafePageFetcher(FetcherOptions options, TimeProvider time, ILogger? logger, Func<string, CancellationToken, Task<IPAddress[]>>? resolve = null)
    {
        _options = options;
        _time = time;
        _logger = logger ?? NullLogger.Instance;
        _resolve = resolve ?? Dns.GetHostAddressesAsync;
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.All,
            UseProxy = false,
            UseCookies = false,
            ConnectTimeout = options.ConnectTimeout,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            MaxConnectionsPerServer = options.PerHostConcurrency,
            MaxResponseHeadersLength = 64,
            ConnectCallback = ConnectAsync,
        };
        _client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    private sealed record RobotsEntry(RobotsTxt Rules, DateTimeOffset Expires, FetchOutcome? Failure, string? Reason);

    private sealed class BlockedAddressException(string message) : IOException(message);

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

    /// <summary>One URL, with retries. Returns a redirect target instead of following it.</summary>
    private async Task<(FetchResult Result, Uri? Location)> FetchOneAsync(Uri requested, Uri url, FetchRequest conditions, CancellationToken cancellationToken)
    {
        var gate = Gate(url);
        var interval = Interval(url);
        for (int attempt = 1; ; attempt++)
        {
            int status = 0;
            string reason;
            FetchOutcome outcome;
            TimeSpan? retryAfter = null;
            using (await gate.EnterAsync(interval, cancellationToken).ConfigureAwait(false))
            {
                using var timeout = new CancellationTokenSource(_options.RequestTimeout, _time);
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
                try
                {
                    using var request = NewRequest(url, conditions);
                    using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
                    status = (int)response.StatusCode;
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
                        return (await ReadBodyAsync(requested, url, response, attempt, linked.Token).ConfigureAwait(false), null);
                    }

                    outcome = FetchOutcome.HttpError;
                    reason = $"HTTP {status}";
                    if (status is 429 or 503)
                    {
                        retryAfter = RetryAfter(response.Headers.RetryAfter);
                        if (retryAfter is { } wait && wait > _options.MaxRetryAfter)
                        {
                            gate.PushBack(_time.GetUtcNow() + wait);
                            return (Fail(FetchOutcome.RateLimited, requested, url, status, $"HTTP {status}: Retry-After {wait.TotalSeconds:0} s is longer than the {_options.MaxRetryAfter.TotalSeconds:0} s allowed", attempt), null);
                        }
                    }
                    else if (status is not (500 or 502 or 504))
                    {
                        return (Fail(FetchOutcome.HttpError, requested, url, status, reason, attempt), null);
                    }
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    outcome = FetchOutcome.Timeout;
                    reason = $"no complete response within {_options.RequestTimeout.TotalMilliseconds:0} ms";
                }
                catch (HttpRequestException e) when (FindBlocked(e) is { } blocked)
                {
                    return (Fail(FetchOutcome.BlockedAddress, requested, url, 0, blocked.Message, attempt), null);
                }
                catch (HttpRequestException e)
                {
                    outcome = FetchOutcome.NetworkError;
                    reason = e.HttpRequestError == HttpRequestError.Unknown ? e.Message : $"{e.HttpRequestError}: {e.Message}";
                }
                catch (Exception e) when (e is IOException or InvalidDataException)
                {
                    outcome = FetchOutcome.NetworkError;
                    reason = $"reading the response failed: {e.Message}";
                }
            }

            if (attempt > _options.MaxRetries)
            {
                return (Fail(status == 429 ? FetchOutcome.RateLimited : outcome, requested, url, status, $"{reason} (after {attempt} attempts)", attempt), null);
            }

            var delay = retryAfter ?? Backoff(attempt);
            gate.PushBack(_time.GetUtcNow() + delay);
            LogRetry(_logger, url, reason, delay.TotalMilliseconds);
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

            var gate = Gate(url);
            using (await gate.EnterAsync(Interval(url), cancellationToken).ConfigureAwait(false))
            {
                using var timeout = new CancellationTokenSource(_options.RequestTimeout, _time);
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
                try
                {
                    using var request = NewRequest(url);
                    using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
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
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    return Unreachable(now, $"robots.txt of {url.Authority} timed out; treated as disallow-all");
                }
                catch (HttpRequestException e) when (FindBlocked(e) is { } blocked)
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

    /// <summary>The SSRF guard: resolves the name, keeps only allowed addresses and connects to one of those.</summary>
    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal) ? [literal] : await _resolve(host, cancellationToken).ConfigureAwait(false);
        Exception? last = null;
        bool anyAllowed = false;
        foreach (var address in addresses)
        {
            if (!AddressPolicy.IsAllowed(address, _options))
            {
                continue;
            }

            anyAllowed = true;
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, context.DnsEndPoint.Port), cancellationToken).ConfigureAwait(false);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException e)
            {
                socket.Dispose();
                last = e;
            }
        }

        if (!anyAllowed)
        {
            throw new BlockedAddressException($"{host} resolves only to addresses that are not allowed ({Describe(addresses)}); set AllowLoopback or AllowPrivateNetworks to reach them");
        }

        throw last ?? new SocketException((int)SocketError.HostNotFound);
    }

    /// <summary>Refuses an IP literal in the URL before any request (the connect step checks names after resolution).</summary>
    private string? PreResolvedBlock(Uri url) =>
        url.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6 && IPAddress.TryParse(url.DnsSafeHost, out var ip) && !AddressPolicy.IsAllowed(ip, _options)
            ? $"{url.Host} is a {AddressPolicy.Classify(ip).ToString().ToLowerInvariant()} address; set AllowLoopback or AllowPrivateNetworks to reach it"
            : null;

    private static string Describe(IPAddress[] addresses)
    {
        if (addresses.Length == 0)
        {
            return "none";
        }

        var parts = new string[Math.Min(addresses.Length, 4)];
        for (int i = 0; i < parts.Length; i++)
        {
            parts[i] = $"{addresses[i]} {AddressPolicy.Classify(addresses[i]).ToString().ToLowerInvariant()}";
        }

        return string.Join(", ", parts);
    }

    private static BlockedAddressException? FindBlocked(Exception e)
    {
        for (var x = e; x is not null; x = x.InnerException)
        {
            if (x is BlockedAddressException blocked)
            {
                return blocked;
            }
        }

        return null;
    }

    private static bool IsHttp(Uri url) => url.IsAbsoluteUri && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps);

    private HostGate Gate(Uri url) => _gates.GetOrAdd(url.Authority, _ => new HostGate(_time, _options.PerHostConcurrency));

    private TimeSpan Interval(Uri url)
    {
        var interval = _options.PerHostMinInterval;
        if (_robots.TryGetValue(url.GetLeftPart(UriPartial.Authority), out var robots) && robots.Rules.CrawlDelay is { } delay && delay > interval)
        {
            interval = delay;
        }

        return interval;
    }

    private TimeSpan Backoff(int attempt)
    {
        var baseMs = _options.RetryBaseDelay.TotalMilliseconds * Math.Pow(2, attempt - 1);
        var jitter = 0.5 + Random.Shared.NextDouble();
        return TimeSpan.FromMilliseconds(Math.Min(baseMs * jitter, TimeSpan.FromMinutes(10).TotalMilliseconds));
    }

    private TimeSpan? RetryAfter(RetryConditionHeaderValue? header)
    {
        if (header is null)
        {
            return null;
        }

        if (header.Delta is { } delta)
        {
            return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        }

        if (header.Date is { } date)
        {
            var wait = date - _time.GetUtcNow();
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }

        return null;
    }

    private FetchResult Fail(FetchOutcome outcome, Uri requested, Uri url, int status, string? reason, int attempts)
    {
        LogFailure(_logger, url, outcome, reason ?? "");
        return new FetchResult(outcome, requested, url, status, null, null, reason, attempts);
    }

    public void Dispose() => _client.Dispose();

    [LoggerMessage(Level = LogLevel.Debug, Message = "Redirect {From} -> {To}")]
    private static partial void LogRedirect(ILogger logger, Uri from, Uri to);

    [LoggerMessage(Level = LogLevel.Information, Message = "Retrying {Url} after {Reason} in {DelayMs:0} ms")]
    private static partial void LogRetry(ILogger logger, Uri url, string reason, double delayMs);

    [LoggerMessage(Level = LogLevel.Information, Message = "Fetch of {Url} ended {Outcome}: {Reason}")]
    private static partial void LogFailure(ILogger logger, Uri url, FetchOutcome outcome, string reason);
}
