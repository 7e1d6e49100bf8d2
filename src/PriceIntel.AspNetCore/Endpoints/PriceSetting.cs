using System.Buffers;
using System.Security.Claims;
using Microsoft.AspNetCore.Http;
using PriceIntel.AspNetCore.Contracts;
using PriceIntel.AspNetCore.Engine;
using PriceIntel.AspNetCore.Feed;

namespace PriceIntel.AspNetCore.Endpoints;

/// <summary>
/// A price set by hand (PUT /api/products/{sku}/price and POST /api/decisions): stored as a manual
/// decision with who and why, sent to the engine as a list-price event (so the board, the next
/// pricing run and the simulator's shoppers see it), and published on the live feed.
/// </summary>
internal static class PriceSetting
{
    public static async Task<IResult> SetAsync(
        string? product,
        decimal? price,
        string? currency,
        string? reason,
        ClaimsPrincipal user,
        IMarketStore store,
        EngineHost engine,
        IMarketEventIngress ingress,
        LiveFeed feed,
        CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (!Check.Key(product, "product", out var field, out var error))
        {
            errors[field!] = [error!];
        }

        if (!Check.Price(price, "price", out var money, out field, out error))
        {
            errors[field!] = [error!];
        }

        if (string.IsNullOrWhiteSpace(reason) || reason.Length > 4096)
        {
            errors["reason"] = [reason is null ? "reason is required: the decision log shows why the price was set by hand" : "reason must be 1 to 4096 characters, not blank"];
        }

        if (errors.Count > 0)
        {
            return Problems.Fields(errors);
        }

        var catalog = await store.GetProductAsync(product!, cancellationToken).ConfigureAwait(false);
        var board = await ProductEndpoints.ReadBoardAsync(engine, product!, cancellationToken).ConfigureAwait(false);
        if (catalog is null && board is null)
        {
            return Problems.NotFound("product");
        }

        string? known = catalog?.Currency ?? (board is { Currency.Length: > 0 } ? board.Currency : null);
        string? chosen = currency ?? known;
        if (!Check.Currency(chosen ?? (currency is null ? null : currency), "currency", out var code, out field, out error))
        {
            return Problems.Field("currency", chosen is null ? "currency is required: the product has none yet" : error!);
        }

        if (known is not null && !string.Equals(code.ToString(), known, StringComparison.Ordinal))
        {
            return Problems.Field("currency", $"the product is priced in {known}; PriceIntel does not convert currencies");
        }

        var time = DateTimeOffset.UtcNow;
        var decision = await store.RecordManualDecisionAsync(
            new ManualPriceChange(product!, price!.Value, code.ToString(), SignalEndpoints.Who(user), reason!, time),
            cancellationToken).ConfigureAwait(false);

        var events = ArrayPool<MarketEvent>.Shared.Rent(1);
        events[0] = MarketEvent.ListPrice(ingress.Keys.Products.Intern(product), money, code, time.ToUnixTimeMilliseconds());
        await ingress.PostAsync(events, 1, waitForProcessing: true, cancellationToken, recordHistory: false).ConfigureAwait(false);
        engine.Simulator?.ApplyOurPrice(engine.Keys.Products.Intern(product), money, time.ToUnixTimeMilliseconds());

        var dto = DecisionDto.From(decision);
        feed.PublishDecision(dto);
        return TypedResults.Ok(dto);
    }
}
