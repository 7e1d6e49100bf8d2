using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using PriceIntel.AspNetCore.Contracts;
using PriceIntel.AspNetCore.Engine;
using PriceIntel.AspNetCore.Feed;

namespace PriceIntel.AspNetCore.Endpoints;

/// <summary>Pricing decisions: list with filters, get with the full "why", create a manual one.</summary>
internal static class DecisionEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        var decisions = api.MapGroup("/decisions").WithTags("Decisions");
        decisions.MapGet("/", ListAsync)
            .AsCachedRead<PageDto<DecisionDto>>("ListDecisions", "Decisions, newest first; filters: product, arm, trigger, from, to; keyset paging with cursor")
            .ProducesValidationProblem();
        decisions.MapGet("/{id}", GetAsync)
            .AsCachedRead<DecisionDto>("GetDecision", "One decision with its full why: strategy, arm, trigger, target and every bound that moved it")
            .ProducesProblem(StatusCodes.Status404NotFound);
        decisions.MapPost("/", CreateAsync)
            .WithName("CreateManualDecision")
            .WithSummary("Record a manual decision: a price set by hand, with who and why (same as PUT /api/products/{sku}/price)")
            .RequireAuthorization(Policies.Price)
            .Produces<DecisionDto>(StatusCodes.Status201Created)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<IResult> ListAsync(
        IMarketStore store,
        string? product,
        int? arm,
        string? trigger,
        [AsParameters] TimePageArgs page,
        CancellationToken cancellationToken)
    {
        if (!QueryArgs.TryEnum<DecisionTrigger>(trigger, "trigger", out var t, out var problem) || !page.TryCheck(out int take, out problem))
        {
            return problem;
        }

        if (arm is < 0 or > 255)
        {
            return Problems.Field("arm", "arm must be between 0 and 255");
        }

        var found = await store.QueryDecisionsAsync(
            new DecisionQuery { Product = product, Arm = arm, Trigger = t, From = page.From, To = page.To, Limit = take, Cursor = page.Cursor },
            cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(new PageDto<DecisionDto>([.. found.Items.Select(DecisionDto.From)], found.NextCursor));
    }

    private static async Task<IResult> GetAsync(string id, IMarketStore store, CancellationToken cancellationToken)
    {
        // The store has no get-by-id for decisions: the API id carries the event time, so one
        // millisecond-wide query finds it.
        if (!DecisionDto.TryParseApiId(id, out ulong decisionId, out var time))
        {
            return Problems.NotFound("decision");
        }

        string? cursor = null;
        do
        {
            var page = await store.QueryDecisionsAsync(new DecisionQuery { From = time, To = time.AddMilliseconds(1), Limit = HistoryQuery.MaxLimit, Cursor = cursor }, cancellationToken).ConfigureAwait(false);
            var found = page.Items.FirstOrDefault(d => d.Id == decisionId);
            if (found is not null)
            {
                return TypedResults.Ok(DecisionDto.From(found));
            }

            cursor = page.NextCursor;
        }
        while (cursor is not null);
        return Problems.NotFound("decision");
    }

    private static async Task<IResult> CreateAsync(CreateDecisionRequest request, HttpContext http, IMarketStore store, EngineHost engine, IMarketEventIngress ingress, LiveFeed feed, CancellationToken cancellationToken)
    {
        var result = await PriceSetting.SetAsync(request.Product, request.Price, request.Currency, request.Reason, http.User, store, engine, ingress, feed, cancellationToken).ConfigureAwait(false);
        return result is Microsoft.AspNetCore.Http.HttpResults.Ok<DecisionDto> ok
            ? TypedResults.Created($"/api/decisions/{ok.Value!.Id}", ok.Value)
            : result;
    }
}
