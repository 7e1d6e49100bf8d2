using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using PriceIntel.AspNetCore.Feed;

namespace PriceIntel.AspNetCore.Endpoints;

/// <summary>The live feed as Server-Sent Events.</summary>
internal static class FeedEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/feed", Subscribe)
            .WithTags("Live feed")
            .WithName("LiveFeed")
            .WithSummary("Live feed of signals and decisions (Server-Sent Events)")
            .WithDescription("Events: 'signal', 'decision', 'acknowledgement' (JSON as in the signal and decision endpoints) and, every second, 'summary' (running totals and the items this subscriber missed because it was over its rate). Filters: types=signals,decisions; minSeverity=info|warning|critical; product=SKU. Browsers' EventSource may pass a JWT as ?access_token=.")
            .RequireAuthorization(Policies.Read)
            .Produces(StatusCodes.Status200OK, contentType: "text/event-stream")
            .ProducesValidationProblem();
    }

    private static IResult Subscribe(LiveFeed feed, string? types, string? minSeverity, string? product, CancellationToken cancellationToken)
    {
        // Parsed here, as /api/signals does, so a bad value lists the accepted ones (info, warning, critical).
        if (!QueryArgs.TryEnum<SignalSeverity>(minSeverity, "minSeverity", out var severity, out var problem))
        {
            return problem;
        }

        bool signals = true;
        bool decisions = true;
        if (types is not null)
        {
            var wanted = types.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            foreach (var type in wanted)
            {
                if (type is not ("signals" or "decisions"))
                {
                    return Problems.Field("types", $"unknown type '{Check.Shorten(type)}'; expected signals, decisions or both");
                }
            }

            signals = wanted.Contains("signals");
            decisions = wanted.Contains("decisions");
        }

        if (product is not null && !Check.Key(product, "product", out var field, out var error))
        {
            return Problems.Field(field!, error!);
        }

        var filter = new FeedFilter(signals, decisions, severity ?? SignalSeverity.Info, product);
        return TypedResults.ServerSentEvents(Items(feed, filter, cancellationToken));
    }

    private static async IAsyncEnumerable<SseItem<string>> Items(LiveFeed feed, FeedFilter filter, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var item in feed.SubscribeAsync(filter, cancellationToken).ConfigureAwait(false))
        {
            yield return new SseItem<string>(item.Json, item.EventType);
        }
    }
}
