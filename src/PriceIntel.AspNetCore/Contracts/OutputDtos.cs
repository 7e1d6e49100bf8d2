namespace PriceIntel.AspNetCore.Contracts;

/// <summary>A market signal.</summary>
internal sealed record SignalDto(
    string Id,
    SignalKind Kind,
    SignalSeverity Severity,
    string Product,
    string? Competitor,
    double Observed,
    double Reference,
    double Threshold,
    double Magnitude,
    DateTimeOffset Time,
    bool Acknowledged = false,
    string? AcknowledgedBy = null,
    DateTimeOffset? AcknowledgedAt = null,
    string? AcknowledgementNote = null)
{
    public static SignalDto From(StoredSignal s) =>
        new(ApiJson.FormatId(s.Id), s.Kind, s.Severity, s.Product, s.Competitor, s.Observed, s.Reference, s.Threshold, s.Magnitude, s.Time, s.Acknowledgement is not null, s.Acknowledgement?.By, s.Acknowledgement?.At, s.Acknowledgement?.Note);
}

/// <summary>Why a decision set the price it did.</summary>
/// <param name="Strategy">The experiment arm's strategy (null for a manual decision).</param>
/// <param name="Arm">The experiment arm index (null for a manual decision).</param>
/// <param name="Trigger">What started the pricing run (<c>manual</c> for a person).</param>
/// <param name="TargetPrice">The strategy's target before any bound.</param>
/// <param name="SetBy">The rule that set the final price.</param>
/// <param name="Bounded">Every rule that moved or clamped the price on the way.</param>
/// <param name="Explanation">The same in one sentence.</param>
internal sealed record DecisionWhy(
    PricingStrategyKind? Strategy,
    int? Arm,
    string Trigger,
    decimal? TargetPrice,
    string? SetBy,
    IReadOnlyList<string> Bounded,
    string Explanation);

/// <summary>A pricing decision, engine-made or manual.</summary>
internal sealed record DecisionDto(
    string Id,
    string Product,
    decimal OldPrice,
    decimal NewPrice,
    string Currency,
    double ChangeFraction,
    DateTimeOffset Time,
    bool Manual,
    DecisionWhy Why,
    string? DecidedBy = null,
    string? Reason = null)
{
    /// <summary>The API's id of a decision: the store's id and its event time, so it can be found again with a time-bounded query.</summary>
    public static string ApiId(StoredDecision d) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{d.Id:x16}-{d.Time.ToUnixTimeMilliseconds()}");

    public static bool TryParseApiId(string? text, out ulong id, out DateTimeOffset time)
    {
        id = 0;
        time = default;
        if (text is not { Length: > 18 and < 40 } || text[16] != '-'
            || !ulong.TryParse(text.AsSpan(0, 16), System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture, out id)
            || !long.TryParse(text.AsSpan(17), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long ms)
            || ms > 253_402_300_799_999)
        {
            return false;
        }

        time = DateTimeOffset.FromUnixTimeMilliseconds(ms);
        return true;
    }

    public static DecisionDto From(StoredDecision d)
    {
        var culture = System.Globalization.CultureInfo.InvariantCulture;
        double change = d.OldPrice == 0 ? 0 : (double)((d.NewPrice - d.OldPrice) / d.OldPrice);
        if (d.Trigger == DecisionTrigger.Manual)
        {
            string text = string.Create(culture, $"{d.DecidedBy ?? "someone"} set the price by hand to {d.NewPrice:0.00##} (was {d.OldPrice:0.00##}): {(string.IsNullOrEmpty(d.Reason) ? "no reason given" : d.Reason)}.");
            return new DecisionDto(ApiId(d), d.Product, d.OldPrice, d.NewPrice, d.Currency, change, d.Time, Manual: true, new DecisionWhy(null, null, "manual", null, null, [], text), d.DecidedBy, d.Reason);
        }

        var bounded = ApiJson.RuleNames(d.Bounded);
        var setBy = ApiJson.RuleNames(d.SetBy);
        string setByName = setBy.Count > 0 ? setBy[0] : "none";
        string trigger = ApiJson.Snake(d.Trigger.ToString());
        string explanation = string.Create(
            culture,
            $"A {trigger.Replace('_', ' ')} run of arm {d.Arm} ({ApiJson.Snake(d.Strategy.ToString()).Replace('_', ' ')}) targeted {d.TargetPrice:0.00##}; {(bounded.Count == 0 ? "no bound moved it" : "moved by " + string.Join(", ", bounded))}; {setByName.Replace('_', ' ')} set the final price {d.NewPrice:0.00##} (was {d.OldPrice:0.00##}).");
        return new DecisionDto(
            ApiId(d),
            d.Product,
            d.OldPrice,
            d.NewPrice,
            d.Currency,
            change,
            d.Time,
            Manual: false,
            new DecisionWhy(d.Strategy, d.Arm, trigger, d.TargetPrice, setByName, bounded, explanation));
    }
}
