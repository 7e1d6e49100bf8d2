using Microsoft.AspNetCore.Http;
using PriceIntel.AspNetCore.Contracts;

namespace PriceIntel.AspNetCore.Endpoints;

/// <summary><c>GET /api/products/{sku}/demand</c>: a product's demand history from the store, hour or day buckets, newest first, keyset paging.</summary>
internal static class DemandEndpoint
{
    public static async Task<IResult> GetAsync(
        string sku,
        IMarketStore store,
        string? bucket,
        [AsParameters] TimePageArgs page,
        CancellationToken cancellationToken)
    {
        if (!Check.Key(sku, "sku", out _, out _))
        {
            return Problems.NotFound("product");
        }

        if (!QueryArgs.TryEnum<DemandBucketSize>(bucket, "bucket", out var size, out var problem) || !page.TryCheck(out int take, out problem))
        {
            return problem;
        }

        var resolved = size ?? DemandBucketSize.Hour;
        var found = await store.QueryDemandAsync(
            new DemandQuery(sku, resolved) { From = page.From, To = page.To, Limit = take, Cursor = page.Cursor },
            cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(new DemandHistoryDto(sku, resolved, page.From, page.To, [.. found.Items.Select(DemandBucketDto.From)], found.NextCursor));
    }
}
