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
        new(ApiJson.FormatId(s.Id), s.Kind, s.Severity, s.Product, s.Competitor, s.Observed, s.Reference, s.Threshold, s.Magnitude, s.Time);
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
    public static DecisionDto From(StoredDecision d)
    {
        var bounded = ApiJson.RuleNames(d.Bounded);
        var setBy = ApiJson.RuleNames(d.SetBy);
        string setByName = setBy.Count > 0 ? setBy[0] : "none";
        string trigger = ApiJson.Snake(d.Trigger.ToString());
        string explanation = string.Create(
            System.Globalization.CultureInfo.InvariantCulture,
            $"A {trigger.Replace('_', ' ')} run of arm {d.Arm} ({ApiJson.Snake(d.Strategy.ToString()).Replace('_', ' ')}) targeted {d.TargetPrice:0.00##}; {(bounded.Count == 0 ? "no bound moved it" : "moved by " + string.Join(", ", bounded))}; {setByName.Replace('_', ' ')} set the final price {d.NewPrice:0.00##} (was {d.OldPrice:0.00##}).");
        return new DecisionDto(
            ApiJson.FormatId(d.Id),
            d.Product,
            d.OldPrice,
            d.NewPrice,
            d.Currency,
            d.OldPrice == 0 ? 0 : (double)((d.NewPrice - d.OldPrice) / d.OldPrice),
            d.Time,
            Manual: false,
            new DecisionWhy(d.Strategy, d.Arm, trigger, d.TargetPrice, setByName, bounded, explanation));
    }
}
