namespace PriceIntel.Scraping;

/// <summary>How a fetch ended.</summary>
public enum FetchOutcome : byte
{
    /// <summary>A 2xx response with an HTML or text body.</summary>
    Ok = 0,

    /// <summary>A 4xx or 5xx response (after retries for the retryable ones).</summary>
    HttpError = 1,

    /// <summary>robots.txt disallows the URL (or could not be fetched because of a server error, which RFC 9309 treats as disallow-all).</summary>
    DisallowedByRobots = 2,

    /// <summary>The host resolves only to addresses the operator has not allowed (loopback, private, link-local…).</summary>
    BlockedAddress = 3,

    /// <summary>The URL, or a redirect, is not http or https.</summary>
    UnsupportedScheme = 4,

    /// <summary>The body, after decompression, is larger than allowed.</summary>
    TooLarge = 5,

    /// <summary>More redirects than allowed, or a loop.</summary>
    TooManyRedirects = 6,

    /// <summary>The request took longer than allowed.</summary>
    Timeout = 7,

    /// <summary>DNS, connection or protocol failure.</summary>
    NetworkError = 8,

    /// <summary>The site asked us to come back later than we are willing to wait (429/503 with a long Retry-After).</summary>
    RateLimited = 9,

    /// <summary>The response is not HTML or text (an image, a PDF…).</summary>
    UnsupportedContent = 10,

    /// <summary>A conditional request (<see cref="FetchRequest.IfNoneMatch"/>, <see cref="FetchRequest.IfModifiedSince"/>) got 304 Not Modified: the copy held is current.</summary>
    NotModified = 11,

    /// <summary>The host failed so often lately that its circuit is open: no request was sent. It closes again after <see cref="FetcherOptions.CircuitBreakDuration"/>.</summary>
    CircuitOpen = 12,
}

/// <summary>Extra request settings for <see cref="IPageFetcher.FetchAsync(Uri, FetchRequest, CancellationToken)"/>: conditional-request validators and the Accept header.</summary>
public sealed record FetchRequest
{
    /// <summary>No conditions, the default Accept header.</summary>
    public static FetchRequest None { get; } = new();

    /// <summary>An entity tag from a previous <see cref="FetchResult.ETag"/>, sent as If-None-Match.</summary>
    public string? IfNoneMatch { get; init; }

    /// <summary>A time from a previous <see cref="FetchResult.LastModified"/>, sent as If-Modified-Since.</summary>
    public DateTimeOffset? IfModifiedSince { get; init; }

    /// <summary>The Accept header; the fetcher's HTML-first default when null.</summary>
    public string? Accept { get; init; }
}

/// <summary>The result of one fetch: the body when it succeeded, the reason when it did not.</summary>
/// <param name="Outcome">How the fetch ended.</param>
/// <param name="RequestedUrl">The URL asked for.</param>
/// <param name="FinalUrl">The URL after redirects.</param>
/// <param name="StatusCode">The last HTTP status, or 0 when no response was received.</param>
/// <param name="Body">The decoded body for <see cref="FetchOutcome.Ok"/>; otherwise null.</param>
/// <param name="ContentType">The media type of the body, or null.</param>
/// <param name="Reason">Why the fetch did not succeed, in words; null on success.</param>
/// <param name="Attempts">Requests made to the final URL, retries included.</param>
public sealed record FetchResult(FetchOutcome Outcome, Uri RequestedUrl, Uri FinalUrl, int StatusCode, string? Body, string? ContentType, string? Reason, int Attempts)
{
    /// <summary>True when the body was fetched.</summary>
    public bool IsSuccess => Outcome == FetchOutcome.Ok;

    /// <summary>The response's ETag, for the next conditional request; null when absent.</summary>
    public string? ETag { get; init; }

    /// <summary>The response's Last-Modified time, for the next conditional request; null when absent.</summary>
    public DateTimeOffset? LastModified { get; init; }
}

/// <summary>Fetches pages politely and safely. Implementations are thread-safe.</summary>
public interface IPageFetcher : IDisposable
{
    /// <summary>Fetches one page, honouring robots.txt, rate limits and the safety limits of its options.</summary>
    /// <param name="url">An absolute http or https URL.</param>
    /// <param name="cancellationToken">Stops the fetch.</param>
    /// <returns>The outcome; failures are reported in the result, not thrown.</returns>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    /// <exception cref="ArgumentException"><paramref name="url"/> is not absolute.</exception>
    Task<FetchResult> FetchAsync(Uri url, CancellationToken cancellationToken);

    /// <summary>
    /// Fetches one resource with request settings: conditional validators (a 304 answer is
    /// <see cref="FetchOutcome.NotModified"/>) and the Accept header. The same politeness and address rules apply.
    /// Implementations that do not support conditions fetch unconditionally (the default).
    /// </summary>
    /// <param name="url">An absolute http or https URL.</param>
    /// <param name="request">Validators and Accept header.</param>
    /// <param name="cancellationToken">Stops the fetch.</param>
    /// <returns>The outcome; failures are reported in the result, not thrown.</returns>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    /// <exception cref="ArgumentException"><paramref name="url"/> is not absolute.</exception>
    Task<FetchResult> FetchAsync(Uri url, FetchRequest request, CancellationToken cancellationToken) => FetchAsync(url, cancellationToken);
}
