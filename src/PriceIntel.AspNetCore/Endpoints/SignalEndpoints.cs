using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using PriceIntel.AspNetCore.Contracts;
using PriceIntel.AspNetCore.Feed;

namespace PriceIntel.AspNetCore.Endpoints;

/// <summary>Market signals: list with filters, get, acknowledge (idempotent, records who and when).</summary>
internal static class SignalEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        var signals = api.MapGroup("/signals").WithTags("Signals");
        signals.MapGet("/", ListAsync)
            .AsCachedRead<PageDto<SignalDto>>("ListSignals", "Signals, newest first; filters: kind, minSeverity, acknowledged, product, competitor, from, to; keyset paging with cursor")
            .ProducesValidationProblem();
        signals.MapGet("/{id}", GetAsync)
            .AsCachedRead<SignalDto>("GetSignal", "One signal")
            .ProducesProblem(StatusCodes.Status404NotFound);
        signals.MapPut("/{id}/acknowledge", AcknowledgeAsync)
            .WithName("AcknowledgeSignal")
            .WithSummary("Acknowledge a signal (idempotent: acknowledging again keeps the first who and when)")
            .RequireAuthorization(Policies.Acknowledge)
            .Accepts<AcknowledgeRequest>("application/json")
            .Produces<SignalDto>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesValidationProblem();
    }

    private static async Task<IResult> ListAsync(
        IMarketStore store,
        string? kind,
        string? minSeverity,
        bool? acknowledged,
        string? product,
        string? competitor,
        [AsParameters] TimePageArgs page,
        CancellationToken cancellationToken)
    {
        if (!QueryArgs.TryEnum<SignalKind>(kind, "kind", out var k, out var problem)
            || !QueryArgs.TryEnum<SignalSeverity>(minSeverity, "minSeverity", out var severity, out problem)
            || !page.TryCheck(out int take, out problem))
        {
            return problem;
        }

        var found = await store.QuerySignalsAsync(
            new SignalQuery { Kind = k, MinSeverity = severity, Acknowledged = acknowledged, Product = product, Competitor = competitor, From = page.From, To = page.To, Limit = take, Cursor = page.Cursor },
            cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(new PageDto<SignalDto>([.. found.Items.Select(SignalDto.From)], found.NextCursor));
    }

    private static async Task<IResult> GetAsync(string id, IMarketStore store, CancellationToken cancellationToken)
    {
        if (!ApiJson.TryParseId(id, out ulong signalId))
        {
            return Problems.NotFound("signal");
        }

        var signal = await store.GetSignalAsync(signalId, cancellationToken).ConfigureAwait(false);
        return signal is null ? Problems.NotFound("signal") : TypedResults.Ok(SignalDto.From(signal));
    }

    private static async Task<IResult> AcknowledgeAsync(string id, HttpContext http, IMarketStore store, LiveFeed feed, CancellationToken cancellationToken)
    {
        if (!ApiJson.TryParseId(id, out ulong signalId))
        {
            return Problems.NotFound("signal");
        }

        AcknowledgeRequest? request = null;
        if (http.Request.ContentLength is > 0 || http.Request.Headers.TransferEncoding.Count > 0)
        {
            if (!http.Request.HasJsonContentType())
            {
                return Problems.Status(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", "Send the acknowledgement as application/json: {\"note\": \"...\"}.");
            }

            request = await http.Request.ReadFromJsonAsync<AcknowledgeRequest>(ApiJson.Options, cancellationToken).ConfigureAwait(false);
        }

        if (request?.Note is { Length: > 4096 })
        {
            return Problems.Field("note", "note must be at most 4096 characters");
        }

        string who = http.User.Identity?.Name ?? "unknown";
        var result = await store.AcknowledgeSignalAsync(signalId, new SignalAcknowledgement(who, DateTimeOffset.UtcNow, request?.Note), cancellationToken).ConfigureAwait(false);
        switch (result.Outcome)
        {
            case AcknowledgeOutcome.Acknowledged when result.Signal is not null:
                var dto = SignalDto.From(result.Signal);
                feed.PublishAcknowledgement(dto);
                return TypedResults.Ok(dto);
            case AcknowledgeOutcome.AlreadyAcknowledged when result.Signal is not null:
                http.Response.Headers["PriceIntel-Already-Acknowledged"] = "true";
                return TypedResults.Ok(SignalDto.From(result.Signal));
            default:
                return Problems.NotFound("signal");
        }
    }

    internal static string Who(ClaimsPrincipal user) => user.Identity?.Name ?? "unknown";
}
