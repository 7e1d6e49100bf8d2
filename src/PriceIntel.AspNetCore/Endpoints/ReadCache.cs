using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using PriceIntel.AspNetCore.Contracts;

namespace PriceIntel.AspNetCore.Endpoints;

/// <summary>Marks a GET endpoint whose 200 answers <see cref="ReadCache"/> may keep briefly.</summary>
internal sealed class CachedRead
{
    public static readonly CachedRead Instance = new();
}

/// <summary>
/// Keeps the serialized JSON of recent 200 answers to the cacheable reads for
/// <see cref="PriceIntelApiOptions.ReadCacheMilliseconds"/>, keyed by path and query string, so a dashboard
/// polling the same pages does not cost a store round trip (or an engine query) and a serialization per
/// request. Runs as an endpoint filter on the <c>/api</c> group: after authentication and authorization
/// (so a cached answer is never served to a caller who may not read it; every reader sees the same data),
/// and every other method clears the cache (ingest only with <c>wait=true</c>), so the API's own writes show at once.
/// </summary>
internal sealed class ReadCache(IOptions<PriceIntelApiOptions> options) : IEndpointFilter
{
    private const int MaxEntries = 4096;
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private long _generation;

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        int ttl = options.Value.ReadCacheMilliseconds;
        if (!HttpMethods.IsGet(http.Request.Method))
        {
            var written = await next(context).ConfigureAwait(false);

            // Ingest does not clear (it would, hundreds of times a second, for nothing the caller waits to see),
            // unless the caller waits for the engine (wait=true) and will read what it sent.
            bool ingest = http.GetEndpoint()?.Metadata.GetMetadata<IngestBodyLimit>() is not null;
            if (!ingest || string.Equals(http.Request.Query["wait"], "true", StringComparison.OrdinalIgnoreCase))
            {
                Clear();
            }

            return written;
        }

        if (ttl == 0 || http.GetEndpoint()?.Metadata.GetMetadata<CachedRead>() is null)
        {
            return await next(context).ConfigureAwait(false);
        }

        string key = string.Concat(http.Request.Path.Value, http.Request.QueryString.Value);
        long now = Environment.TickCount64;
        long generation = Volatile.Read(ref _generation);
        if (_entries.TryGetValue(key, out var entry) && entry.Expires > now && entry.Generation == generation)
        {
            return TypedResults.Bytes(entry.Json, "application/json; charset=utf-8");
        }

        var result = await next(context).ConfigureAwait(false);
        if (result is IStatusCodeHttpResult { StatusCode: 200 } and IValueHttpResult { Value: { } value })
        {
            byte[] json = JsonSerializer.SerializeToUtf8Bytes(value, value.GetType(), ApiJson.Options);
            if (_entries.Count >= MaxEntries)
            {
                _entries.Clear();
            }

            _entries[key] = new Entry(json, now + ttl, generation);
            return TypedResults.Bytes(json, "application/json; charset=utf-8");
        }

        return result;
    }

    /// <summary>Drops every cached answer (a write went through the API).</summary>
    public void Clear()
    {
        Interlocked.Increment(ref _generation);
        _entries.Clear();
    }

    private sealed record Entry(byte[] Json, long Expires, long Generation);
}

/// <summary>The conventions every cacheable read shares.</summary>
internal static class CachedReadConventions
{
    /// <summary>A read for viewers: its name and summary, the read policy, the 200 body type, and the read cache's mark.</summary>
    public static RouteHandlerBuilder AsCachedRead<T>(this RouteHandlerBuilder builder, string name, string summary) =>
        builder.WithName(name)
            .WithMetadata(CachedRead.Instance)
            .WithSummary(summary)
            .RequireAuthorization(Policies.Read)
            .Produces<T>();
}
