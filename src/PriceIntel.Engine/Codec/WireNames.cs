using System.Text.Json;

namespace PriceIntel.Engine.Codec;

/// <summary>
/// The snake_case names of the wire format (docs/wire-format.md): property names, event types and
/// enum values, pre-encoded once so writers copy bytes instead of building strings.
/// </summary>
internal static class WireNames
{
    // Property names shared by events and outputs.
    public static readonly JsonEncodedText Type = JsonEncodedText.Encode("type");
    public static readonly JsonEncodedText Product = JsonEncodedText.Encode("product");
    public static readonly JsonEncodedText Competitor = JsonEncodedText.Encode("competitor");
    public static readonly JsonEncodedText Platform = JsonEncodedText.Encode("platform");
    public static readonly JsonEncodedText Price = JsonEncodedText.Encode("price");
    public static readonly JsonEncodedText Currency = JsonEncodedText.Encode("currency");
    public static readonly JsonEncodedText Availability = JsonEncodedText.Encode("availability");
    public static readonly JsonEncodedText Action = JsonEncodedText.Encode("action");
    public static readonly JsonEncodedText Quantity = JsonEncodedText.Encode("quantity");
    public static readonly JsonEncodedText Units = JsonEncodedText.Encode("units");
    public static readonly JsonEncodedText Cost = JsonEncodedText.Encode("cost");
    public static readonly JsonEncodedText Ts = JsonEncodedText.Encode("ts");

    // Output property names.
    public static readonly JsonEncodedText Id = JsonEncodedText.Encode("id");
    public static readonly JsonEncodedText Kind = JsonEncodedText.Encode("kind");
    public static readonly JsonEncodedText Severity = JsonEncodedText.Encode("severity");
    public static readonly JsonEncodedText Observed = JsonEncodedText.Encode("observed");
    public static readonly JsonEncodedText Reference = JsonEncodedText.Encode("reference");
    public static readonly JsonEncodedText Threshold = JsonEncodedText.Encode("threshold");
    public static readonly JsonEncodedText Magnitude = JsonEncodedText.Encode("magnitude");
    public static readonly JsonEncodedText OldPrice = JsonEncodedText.Encode("old_price");
    public static readonly JsonEncodedText NewPrice = JsonEncodedText.Encode("new_price");
    public static readonly JsonEncodedText TargetPrice = JsonEncodedText.Encode("target_price");
    public static readonly JsonEncodedText Strategy = JsonEncodedText.Encode("strategy");
    public static readonly JsonEncodedText Arm = JsonEncodedText.Encode("arm");
    public static readonly JsonEncodedText Trigger = JsonEncodedText.Encode("trigger");
    public static readonly JsonEncodedText SetBy = JsonEncodedText.Encode("set_by");
    public static readonly JsonEncodedText Bounded = JsonEncodedText.Encode("bounded");

    // Dead-letter records.
    public static readonly JsonEncodedText Source = JsonEncodedText.Encode("source");
    public static readonly JsonEncodedText Position = JsonEncodedText.Encode("position");
    public static readonly JsonEncodedText Reason = JsonEncodedText.Encode("reason");
    public static readonly JsonEncodedText Payload = JsonEncodedText.Encode("payload");

    // Output record types.
    public static readonly JsonEncodedText SignalType = JsonEncodedText.Encode("signal");
    public static readonly JsonEncodedText DecisionType = JsonEncodedText.Encode("decision");

    /// <summary>Event type names indexed by <see cref="MarketEventKind"/>.</summary>
    public static readonly JsonEncodedText[] EventKinds =
    [
        JsonEncodedText.Encode("none"),
        JsonEncodedText.Encode("competitor_price"),
        JsonEncodedText.Encode("demand"),
        JsonEncodedText.Encode("inventory"),
        JsonEncodedText.Encode("cost"),
        JsonEncodedText.Encode("list_price"),
    ];

    /// <summary>Demand action names indexed by <see cref="DemandAction"/>.</summary>
    public static readonly JsonEncodedText[] Actions =
    [
        JsonEncodedText.Encode("none"),
        JsonEncodedText.Encode("view"),
        JsonEncodedText.Encode("add_to_cart"),
        JsonEncodedText.Encode("purchase"),
    ];

    /// <summary>Availability names indexed by <see cref="PriceIntel.Availability"/>.</summary>
    public static readonly JsonEncodedText[] Availabilities =
    [
        JsonEncodedText.Encode("unknown"),
        JsonEncodedText.Encode("in_stock"),
        JsonEncodedText.Encode("out_of_stock"),
        JsonEncodedText.Encode("limited_stock"),
        JsonEncodedText.Encode("pre_order"),
    ];

    /// <summary>Signal kind names indexed by <see cref="SignalKind"/> (0 is unused).</summary>
    public static readonly JsonEncodedText[] SignalKinds =
    [
        JsonEncodedText.Encode("none"),
        JsonEncodedText.Encode("competitor_price_drop"),
        JsonEncodedText.Encode("demand_surge"),
        JsonEncodedText.Encode("low_inventory"),
        JsonEncodedText.Encode("price_anomaly"),
    ];

    /// <summary>Severity names indexed by <see cref="SignalSeverity"/> (0 is unused).</summary>
    public static readonly JsonEncodedText[] Severities =
    [
        JsonEncodedText.Encode("none"),
        JsonEncodedText.Encode("info"),
        JsonEncodedText.Encode("warning"),
        JsonEncodedText.Encode("critical"),
    ];

    /// <summary>Strategy names indexed by <see cref="PricingStrategyKind"/>.</summary>
    public static readonly JsonEncodedText[] Strategies =
    [
        JsonEncodedText.Encode("hold"),
        JsonEncodedText.Encode("match_lowest"),
        JsonEncodedText.Encode("beat_lowest"),
        JsonEncodedText.Encode("percentile"),
        JsonEncodedText.Encode("maximize_profit"),
    ];

    /// <summary>Trigger names indexed by <see cref="DecisionTrigger"/> (0 is unused).</summary>
    public static readonly JsonEncodedText[] Triggers =
    [
        JsonEncodedText.Encode("none"),
        JsonEncodedText.Encode("scheduled"),
        JsonEncodedText.Encode("competitor_price_drop"),
        JsonEncodedText.Encode("demand_surge"),
        JsonEncodedText.Encode("low_inventory"),
        JsonEncodedText.Encode("cost_change"),
    ];

    /// <summary>Pricing rule names indexed by bit position of <see cref="PricingRules"/>.</summary>
    public static readonly JsonEncodedText[] Rules =
    [
        JsonEncodedText.Encode("strategy"),
        JsonEncodedText.Encode("min_margin"),
        JsonEncodedText.Encode("max_margin"),
        JsonEncodedText.Encode("max_change"),
        JsonEncodedText.Encode("min_price"),
        JsonEncodedText.Encode("max_price"),
        JsonEncodedText.Encode("map_floor"),
        JsonEncodedText.Encode("price_ending"),
        JsonEncodedText.Encode("no_change"),
    ];

    /// <summary>The name of an enum value, or its number as text when it has no name.</summary>
    public static JsonEncodedText NameOf(JsonEncodedText[] names, int value) =>
        (uint)value < (uint)names.Length ? names[value] : JsonEncodedText.Encode(value.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>Finds <paramref name="utf8"/> in <paramref name="names"/>; the index, or -1. Slot 0 is skipped when <paramref name="skipZero"/>.</summary>
    public static int IndexOf(JsonEncodedText[] names, ReadOnlySpan<byte> utf8, bool skipZero)
    {
        for (int i = skipZero ? 1 : 0; i < names.Length; i++)
        {
            if (utf8.SequenceEqual(names[i].EncodedUtf8Bytes))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Space-separated list of accepted names, for error messages.</summary>
    public static string Accepted(JsonEncodedText[] names, bool skipZero)
    {
        var parts = new string[names.Length - (skipZero ? 1 : 0)];
        for (int i = 0; i < parts.Length; i++)
        {
            parts[i] = names[i + (skipZero ? 1 : 0)].ToString();
        }

        return string.Join(", ", parts);
    }
}
