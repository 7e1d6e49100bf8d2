using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using PriceIntel.AspNetCore.Contracts;
using PriceIntel.AspNetCore.Diagnostics;
using PriceIntel.AspNetCore.Engine;

namespace PriceIntel.AspNetCore.Endpoints;

/// <summary>
/// Batched ingest: JSON Lines in the engine's wire format (the fast path, decoded by the engine's
/// codec) and JSON batches per kind (competitor prices, shopper behaviour, inventory, costs). Every
/// item is checked on its own: a bad item is answered with its index, field and reason, and the
/// good items of the same batch still reach the engine.
/// </summary>
internal static class IngestEndpoints
{
    private const int MaxListedErrors = 1000;

    public static void Map(RouteGroupBuilder api)
    {
        var ingest = api.MapGroup("/ingest").WithTags("Ingest").RequireAuthorization(Policies.Ingest).WithMetadata(new IngestBodyLimit());

        ingest.MapPost("/events", IngestLinesAsync)
            .WithName("IngestEvents")
            .WithSummary("Ingest market events as JSON Lines (the engine's wire format, docs/wire-format.md)")
            .WithDescription("One event per line: competitor_price, demand, inventory, cost, list_price. Decoded by the engine's codec; each bad line is answered with its line number and reason, the good lines are processed. Content-Type application/x-ndjson. Add ?wait=true to answer only after the engine processed the batch.")
            .Accepts<string>("application/x-ndjson", "application/jsonl", "text/plain")
            .Produces<IngestResult>(StatusCodes.Status202Accepted)
            .Produces<IngestResult>(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);

        MapItems<CompetitorPriceItem>(ingest, "/competitor-prices", "IngestCompetitorPrices", "Ingest a batch of competitor price observations", MarketEventKind.CompetitorPrice, ToEvent);
        MapItems<BehaviourItem>(ingest, "/behaviour", "IngestBehaviour", "Ingest a batch of shopper behaviour events (views, add-to-carts, purchases) from the storefront", MarketEventKind.Demand, ToEvent);
        MapItems<InventoryItem>(ingest, "/inventory", "IngestInventory", "Ingest a batch of inventory updates (our units on hand)", MarketEventKind.Inventory, ToEvent);
        MapItems<CostItem>(ingest, "/costs", "IngestCosts", "Ingest a batch of unit cost updates", MarketEventKind.Cost, ToEvent);
    }

    /// <summary>Maps one typed batch endpoint: <c>{"items": [T, ...]}</c> converted item by item into events of <paramref name="kind"/>.</summary>
    private static void MapItems<T>(RouteGroupBuilder ingest, string path, string name, string summary, MarketEventKind kind, ItemConverter<T> convert)
        where T : class
    {
        ingest.MapPost(path, (HttpContext http, IMarketEventIngress engine, ApiMetrics metrics, IOptions<PriceIntelApiOptions> options, bool? wait, CancellationToken ct) =>
                IngestItemsAsync(http, engine, metrics, options.Value, wait ?? false, kind, convert, ct))
            .WithName(name)
            .WithSummary(summary)
            .Accepts<IngestBatch<T>>("application/json")
            .Produces<IngestResult>(StatusCodes.Status202Accepted)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);
    }

    private static async Task<IResult> IngestLinesAsync(HttpContext http, IMarketEventIngress engine, ApiMetrics metrics, bool? wait, CancellationToken ct)
    {
        var contentType = http.Request.ContentType;
        if (contentType is not null
            && !contentType.StartsWith("application/x-ndjson", StringComparison.OrdinalIgnoreCase)
            && !contentType.StartsWith("application/jsonl", StringComparison.OrdinalIgnoreCase)
            && !contentType.StartsWith("text/plain", StringComparison.OrdinalIgnoreCase))
        {
            return Problems.Status(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", $"Send JSON Lines as application/x-ndjson; got '{contentType}'.");
        }

        var scope = IngestScope.From(http.User);
        var rejections = new CollectedRejections();
        var reject = rejections.Reject;
        long accepted = 0;
        long decoded = 0;
        var body = JsonLinesBodyReader.Rent(http.Request.BodyReader, engine.Keys);
        try
        {
            while (true)
            {
                var buffer = ArrayPool<MarketEvent>.Shared.Rent(EngineHost.BatchSize);
                int count;
                try
                {
                    count = await body.ReadAsync(buffer, EngineHost.BatchSize, reject, ct).ConfigureAwait(false);
                }
                catch
                {
                    ArrayPool<MarketEvent>.Shared.Return(buffer);
                    throw;
                }

                if (count == 0)
                {
                    ArrayPool<MarketEvent>.Shared.Return(buffer);
                    break;
                }

                if (!scope.AllowsAll)
                {
                    count = KeepAllowed(buffer, count, scope, decoded, rejections);
                }

                decoded += count;
                accepted += count;
                await engine.PostAsync(buffer, count, waitForProcessing: false, ct).ConfigureAwait(false);
            }
        }
        finally
        {
            body.Release();
        }

        return await FinishAsync(engine, metrics, accepted, rejections.Count, rejections.Errors, wait ?? false, ct).ConfigureAwait(false);
    }

    /// <summary>Moves the events the caller may send to the front; the rest become errors.</summary>
    private static int KeepAllowed(MarketEvent[] buffer, int count, IngestScope scope, long decodedBefore, CollectedRejections rejections)
    {
        int kept = 0;
        for (int i = 0; i < count; i++)
        {
            var kind = buffer[i].Kind;
            if (scope.Allows(kind))
            {
                buffer[kept++] = buffer[i];
            }
            else
            {
                rejections.Add(new IngestError(decodedBefore + i + 1, "type", string.Create(CultureInfo.InvariantCulture, $"decoded event {decodedBefore + i + 1} is a {ApiJson.Snake(kind.ToString())} event, which this API key may not send")));
            }
        }

        return kept;
    }

    private static async Task<IResult> IngestItemsAsync<T>(
        HttpContext http,
        IMarketEventIngress engine,
        ApiMetrics metrics,
        PriceIntelApiOptions options,
        bool wait,
        MarketEventKind kind,
        ItemConverter<T> convert,
        CancellationToken ct)
        where T : class
    {
        if (!IngestScope.From(http.User).Allows(kind))
        {
            return Problems.Status(StatusCodes.Status403Forbidden, "Forbidden", $"This API key may not send {ApiJson.Snake(kind.ToString())} events.");
        }

        if (!http.Request.HasJsonContentType())
        {
            return Problems.Status(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", "Send the batch as application/json: {\"items\": [...]}.");
        }

        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(http.Request.Body, new JsonDocumentOptions { MaxDepth = 16 }, ct).ConfigureAwait(false);
        }
        catch (JsonException ex)
        {
            return Problems.Field("body", $"The body is not valid JSON: {ex.Message}");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("items", out var items) || items.ValueKind != JsonValueKind.Array)
            {
                return Problems.Field("items", "The body must be an object with an 'items' array.");
            }

            foreach (var property in root.EnumerateObject())
            {
                if (property.Name != "items")
                {
                    return Problems.Field(property.Name, $"Unknown property '{property.Name}'; the body holds only 'items'.");
                }
            }

            int total = items.GetArrayLength();
            if (total == 0)
            {
                return Problems.Field("items", "The batch is empty.");
            }

            if (total > options.MaxBatchItems)
            {
                return Problems.Field("items", string.Create(CultureInfo.InvariantCulture, $"The batch holds {total} items; at most {options.MaxBatchItems} are accepted per request."));
            }

            var errors = new List<IngestError>();
            long rejected = 0;
            long accepted = 0;
            long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            var keys = engine.Keys;
            var buffer = ArrayPool<MarketEvent>.Shared.Rent(EngineHost.BatchSize);
            int filled = 0;
            int index = 0;
            foreach (var element in items.EnumerateArray())
            {
                T? item = null;
                string? error = null;
                string? field = null;
                try
                {
                    item = element.ValueKind == JsonValueKind.Object ? element.Deserialize<T>(ApiJson.Options) : null;
                    if (item is null)
                    {
                        error = "an item must be a JSON object";
                    }
                }
                catch (JsonException ex)
                {
                    field = ex.Path is { Length: > 1 } path ? path.TrimStart('$', '.') : null;
                    error = PriceIntel.AspNetCore.Security.RequestErrorText.Json(ex);
                }

                if (item is not null && convert(item, keys, now, out var e, out field, out error))
                {
                    buffer[filled++] = e;
                    accepted++;
                    if (filled == EngineHost.BatchSize)
                    {
                        await engine.PostAsync(buffer, filled, waitForProcessing: false, ct).ConfigureAwait(false);
                        buffer = ArrayPool<MarketEvent>.Shared.Rent(EngineHost.BatchSize);
                        filled = 0;
                    }
                }
                else
                {
                    rejected++;
                    if (errors.Count < MaxListedErrors)
                    {
                        errors.Add(new IngestError(index, field is null ? null : string.Create(CultureInfo.InvariantCulture, $"items[{index}].{field}"), error ?? "invalid item"));
                    }
                }

                index++;
            }

            await engine.PostAsync(buffer, filled, waitForProcessing: false, ct).ConfigureAwait(false);
            return await FinishAsync(engine, metrics, accepted, rejected, errors, wait, ct).ConfigureAwait(false);
        }
    }

    private static async Task<IResult> FinishAsync(IMarketEventIngress engine, ApiMetrics metrics, long accepted, long rejected, IReadOnlyList<IngestError> errors, bool wait, CancellationToken ct)
    {
        metrics.Ingested(accepted);
        metrics.Rejected(rejected);
        if (accepted == 0 && rejected == 0)
        {
            return Problems.Field("body", "The batch is empty.");
        }

        if (wait)
        {
            await engine.DrainAsync(ct).ConfigureAwait(false);
        }

        var result = new IngestResult(accepted, rejected, wait, errors);
        return wait ? TypedResults.Ok(result) : TypedResults.Accepted((string?)null, result);
    }

    private delegate bool ItemConverter<in T>(T item, MarketKeys keys, long now, out MarketEvent result, out string? field, out string? error);

    private static bool ToEvent(CompetitorPriceItem item, MarketKeys keys, long now, out MarketEvent result, out string? field, out string? error)
    {
        result = default;
        if (!Check.Key(item.Product, "product", out field, out error)
            || !Check.Key(item.Competitor, "competitor", out field, out error)
            || (item.Platform is not null && !Check.Key(item.Platform, "platform", out field, out error))
            || !Check.Price(item.Price, "price", out var price, out field, out error)
            || !Check.Currency(item.Currency, "currency", out var currency, out field, out error)
            || !Check.Time(item.Time, now, out long ts, out field, out error))
        {
            return false;
        }

        result = MarketEvent.CompetitorPrice(
            keys.Products.Intern(item.Product),
            keys.Competitors.Intern(item.Competitor),
            item.Platform is null ? -1 : keys.Platforms.Intern(item.Platform),
            price,
            currency,
            item.Availability ?? Availability.Unknown,
            ts);
        return true;
    }

    private static bool ToEvent(BehaviourItem item, MarketKeys keys, long now, out MarketEvent result, out string? field, out string? error)
    {
        result = default;
        if (!Check.Key(item.Product, "product", out field, out error) || !Check.Time(item.Time, now, out long ts, out field, out error))
        {
            return false;
        }

        if (item.Action is not { } action || action == DemandAction.None)
        {
            (field, error) = ("action", "action is required: view, add_to_cart or purchase");
            return false;
        }

        int quantity = item.Quantity ?? 1;
        if (quantity < 0 || (action == DemandAction.Purchase && quantity < 1))
        {
            (field, error) = ("quantity", string.Create(CultureInfo.InvariantCulture, $"quantity {quantity} must be at least {(action == DemandAction.Purchase ? 1 : 0)}"));
            return false;
        }

        var price = Money.Zero;
        var currency = default(CurrencyCode);
        if (action == DemandAction.Purchase || item.Price is not null)
        {
            if (!Check.Price(item.Price, "price", out price, out field, out error) || !Check.Currency(item.Currency, "currency", out currency, out field, out error))
            {
                return false;
            }
        }

        result = MarketEvent.Demand(keys.Products.Intern(item.Product), action, quantity, price, currency, ts);
        return true;
    }

    private static bool ToEvent(InventoryItem item, MarketKeys keys, long now, out MarketEvent result, out string? field, out string? error)
    {
        result = default;
        if (!Check.Key(item.Product, "product", out field, out error) || !Check.Time(item.Time, now, out long ts, out field, out error))
        {
            return false;
        }

        if (item.UnitsOnHand is not { } units || units < 0)
        {
            (field, error) = ("unitsOnHand", item.UnitsOnHand is null ? "unitsOnHand is required" : string.Create(CultureInfo.InvariantCulture, $"unitsOnHand {item.UnitsOnHand} is negative"));
            return false;
        }

        result = MarketEvent.Inventory(keys.Products.Intern(item.Product), units, ts);
        return true;
    }

    private static bool ToEvent(CostItem item, MarketKeys keys, long now, out MarketEvent result, out string? field, out string? error)
    {
        result = default;
        if (!Check.Key(item.Product, "product", out field, out error)
            || !Check.Price(item.UnitCost, "unitCost", out var cost, out field, out error)
            || !Check.Currency(item.Currency, "currency", out var currency, out field, out error)
            || !Check.Time(item.Time, now, out long ts, out field, out error))
        {
            return false;
        }

        result = MarketEvent.Cost(keys.Products.Intern(item.Product), cost, currency, ts);
        return true;
    }

    /// <summary>Collects a JSON Lines source's rejections as per-line errors.</summary>
    private sealed class CollectedRejections
    {
        private readonly List<IngestError> _errors = [];

        public long Count { get; private set; }

        public IReadOnlyList<IngestError> Errors => _errors;

        public void Reject(long line, string reason) => Add(new IngestError(line, null, reason));

        public void Add(IngestError error)
        {
            Count++;
            if (_errors.Count < MaxListedErrors)
            {
                _errors.Add(error);
            }
        }
    }
}

/// <summary>Marks endpoints whose body may be as large as <see cref="PriceIntelApiOptions.MaxIngestBodyBytes"/>.</summary>
internal sealed class IngestBodyLimit;
