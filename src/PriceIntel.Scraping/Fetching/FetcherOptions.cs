namespace PriceIntel.Scraping;

/// <summary>
/// How the page fetcher behaves: identity, politeness (robots.txt, per-host rate and concurrency,
/// Retry-After, retries) and safety limits (size, redirects, time, which networks may be reached).
/// Setters validate and name the option in their errors.
/// </summary>
public sealed class FetcherOptions
{
    private string _productToken = "PriceIntelBot";
    private Uri _contactUrl = new("https://example.invalid/priceintel-bot");
    private long _maxResponseBytes = 5L * 1024 * 1024;
    private int _maxRedirects = 5;
    private TimeSpan _requestTimeout = TimeSpan.FromSeconds(20);
    private TimeSpan _connectTimeout = TimeSpan.FromSeconds(10);
    private TimeSpan _perHostMinInterval = TimeSpan.FromSeconds(2);
    private int _perHostConcurrency = 1;
    private int _maxRetries = 3;
    private TimeSpan _retryBaseDelay = TimeSpan.FromSeconds(1);
    private TimeSpan _maxRetryAfter = TimeSpan.FromMinutes(5);
    private TimeSpan _robotsCacheDuration = TimeSpan.FromHours(24);
    private int _circuitMinimumThroughput = 10;
    private TimeSpan _circuitBreakDuration = TimeSpan.FromSeconds(30);

    /// <summary>The crawler's product token: the User-Agent name and the name robots.txt groups are matched against. Default "PriceIntelBot".</summary>
    /// <exception cref="ArgumentException">Empty, or not letters, digits, '-' and '_'.</exception>
    public string ProductToken
    {
        get => _productToken;
        set
        {
            if (string.IsNullOrEmpty(value) || value.Length > 64 || !value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            {
                throw new ArgumentException($"Fetcher:ProductToken must be 1 to 64 ASCII letters, digits, '-' or '_'; got '{value}'.", nameof(ProductToken));
            }

            _productToken = value;
        }
    }

    /// <summary>Where site owners can read about the crawler and reach its operator; sent in the User-Agent. Set it to your own page.</summary>
    /// <exception cref="ArgumentException">Not an absolute http(s) URL.</exception>
    public Uri ContactUrl
    {
        get => _contactUrl;
        set => _contactUrl = value is { IsAbsoluteUri: true } && (value.Scheme == Uri.UriSchemeHttps || value.Scheme == Uri.UriSchemeHttp)
            ? value
            : throw new ArgumentException($"Fetcher:ContactUrl must be an absolute http(s) URL; got '{value}'.", nameof(ContactUrl));
    }

    /// <summary>The User-Agent header sent: "<c>ProductToken</c>/1.0 (+<c>ContactUrl</c>)".</summary>
    public string UserAgent => $"{ProductToken}/1.0 (+{ContactUrl})";

    /// <summary>Operator switch: allow loopback addresses (127.0.0.0/8, ::1). Off by default; tests against a local server turn it on.</summary>
    public bool AllowLoopback { get; set; }

    /// <summary>Operator switch: allow private, link-local (incl. 169.254.169.254), CGNAT, ULA and other non-public addresses. Off by default.</summary>
    public bool AllowPrivateNetworks { get; set; }

    /// <summary>Whether robots.txt is honoured. Default true; turn off only for sites you own.</summary>
    public bool RespectRobotsTxt { get; set; } = true;

    /// <summary>Largest response body accepted, counted after decompression. Default 5 MiB.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Outside 1 KiB to 1 GiB.</exception>
    public long MaxResponseBytes
    {
        get => _maxResponseBytes;
        set => _maxResponseBytes = value is >= 1024 and <= 1L << 30 ? value : throw new ArgumentOutOfRangeException(nameof(MaxResponseBytes), value, $"Fetcher:MaxResponseBytes must be between 1024 and 1073741824; got {value}.");
    }

    /// <summary>Redirects followed per fetch; every hop is checked again (scheme, robots.txt, address). Default 5.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Outside 0 to 20.</exception>
    public int MaxRedirects
    {
        get => _maxRedirects;
        set => _maxRedirects = value is >= 0 and <= 20 ? value : throw new ArgumentOutOfRangeException(nameof(MaxRedirects), value, $"Fetcher:MaxRedirects must be between 0 and 20; got {value}.");
    }

    /// <summary>Time allowed for one attempt to get the response headers, and again for reading the body (Polly's timeout strategy, per attempt). Default 20 s.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Outside 10 ms to 24 h (the range Polly's timeout accepts).</exception>
    public TimeSpan RequestTimeout
    {
        get => _requestTimeout;
        set => _requestTimeout = value > TimeSpan.FromMilliseconds(10) && value < TimeSpan.FromHours(24)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(RequestTimeout), value, $"Fetcher:RequestTimeout must be above 10 ms and below 24 h; got {value}.");
    }

    /// <summary>Time allowed to open a connection. Default 10 s.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not positive.</exception>
    public TimeSpan ConnectTimeout
    {
        get => _connectTimeout;
        set => _connectTimeout = Positive(value, "Fetcher:ConnectTimeout");
    }

    /// <summary>Least time between the starts of two requests to one host (a robots.txt Crawl-delay can raise it). Default 2 s.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Negative.</exception>
    public TimeSpan PerHostMinInterval
    {
        get => _perHostMinInterval;
        set => _perHostMinInterval = value >= TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(nameof(PerHostMinInterval), value, $"Fetcher:PerHostMinInterval must not be negative; got {value}.");
    }

    /// <summary>Requests in flight to one host at once. Default 1.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Outside 1 to 16.</exception>
    public int PerHostConcurrency
    {
        get => _perHostConcurrency;
        set => _perHostConcurrency = value is >= 1 and <= 16 ? value : throw new ArgumentOutOfRangeException(nameof(PerHostConcurrency), value, $"Fetcher:PerHostConcurrency must be between 1 and 16; got {value}.");
    }

    /// <summary>Retries after a 429, 5xx, timeout or network error. Default 3.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Outside 0 to 10.</exception>
    public int MaxRetries
    {
        get => _maxRetries;
        set => _maxRetries = value is >= 0 and <= 10 ? value : throw new ArgumentOutOfRangeException(nameof(MaxRetries), value, $"Fetcher:MaxRetries must be between 0 and 10; got {value}.");
    }

    /// <summary>Median first retry delay; grows exponentially each retry, with decorrelated jitter (Polly). A Retry-After header, when sent, is used instead. Default 1 s.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Negative.</exception>
    public TimeSpan RetryBaseDelay
    {
        get => _retryBaseDelay;
        set => _retryBaseDelay = value >= TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(nameof(RetryBaseDelay), value, $"Fetcher:RetryBaseDelay must not be negative; got {value}.");
    }

    /// <summary>A Retry-After longer than this is not waited for: the fetch returns <see cref="FetchOutcome.RateLimited"/>. Default 5 min.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Negative.</exception>
    public TimeSpan MaxRetryAfter
    {
        get => _maxRetryAfter;
        set => _maxRetryAfter = value >= TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(nameof(MaxRetryAfter), value, $"Fetcher:MaxRetryAfter must not be negative; got {value}.");
    }

    /// <summary>How long a fetched robots.txt is used before it is fetched again. Default 24 h (RFC 9309's upper bound).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not positive or over 24 h.</exception>
    public TimeSpan RobotsCacheDuration
    {
        get => _robotsCacheDuration;
        set => _robotsCacheDuration = value > TimeSpan.Zero && value <= TimeSpan.FromHours(24) ? value : throw new ArgumentOutOfRangeException(nameof(RobotsCacheDuration), value, $"Fetcher:RobotsCacheDuration must be above 0 and at most 24 h; got {value}.");
    }

    /// <summary>
    /// Per-host circuit breaker: the circuit opens when at least this many requests to the host ended within
    /// 60 s and half of them failed (5xx, 429, timeout, network error); while open, fetches to that host end
    /// <see cref="FetchOutcome.CircuitOpen"/> without a request. Default 10.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Outside 2 to 10,000.</exception>
    public int CircuitMinimumThroughput
    {
        get => _circuitMinimumThroughput;
        set => _circuitMinimumThroughput = value is >= 2 and <= 10_000 ? value : throw new ArgumentOutOfRangeException(nameof(CircuitMinimumThroughput), value, $"Fetcher:CircuitMinimumThroughput must be between 2 and 10000; got {value}.");
    }

    /// <summary>How long a host's open circuit stays open before one trial request is let through. Default 30 s.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not above 0.5 s, or over 24 h.</exception>
    public TimeSpan CircuitBreakDuration
    {
        get => _circuitBreakDuration;
        set => _circuitBreakDuration = value > TimeSpan.FromMilliseconds(500) && value <= TimeSpan.FromHours(24)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(CircuitBreakDuration), value, $"Fetcher:CircuitBreakDuration must be above 0.5 s and at most 24 h; got {value}.");
    }

    private static TimeSpan Positive(TimeSpan value, string option) =>
        value > TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(option, value, $"{option} must be positive; got {value}.");
}
