using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using PriceIntel.AspNetCore.Contracts;
using PriceIntel.AspNetCore.Engine;

namespace PriceIntel.AspNetCore.Endpoints;

/// <summary>Products: the catalog from the store, and the live board from the engine.</summary>
internal static class ProductEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        var products = api.MapGroup("/products").WithTags("Products");
        products.MapGet("/{product}/board", GetBoardAsync)
            .WithName("GetProductBoard")
            .WithSummary("The live board of a product: each competitor's price, lowest/median/highest, our rank and gap, window statistics, demand")
            .RequireAuthorization(Policies.Read)
            .Produces<BoardDto>()
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    internal static async Task<BoardDto?> ReadBoardAsync(EngineHost engine, string product, CancellationToken cancellationToken) =>
        await engine.QueryAsync(e => e.TryGetSnapshot(product, out var snapshot) ? BoardDto.From(snapshot) : null, cancellationToken).ConfigureAwait(false);

    private static async Task<IResult> GetBoardAsync(string product, EngineHost engine, CancellationToken cancellationToken)
    {
        if (!Check.Key(product, "product", out _, out _))
        {
            return Problems.NotFound("product");
        }

        var board = await ReadBoardAsync(engine, product, cancellationToken).ConfigureAwait(false);
        return board is null ? Problems.NotFound("product") : TypedResults.Ok(board);
    }
}
