using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.Json;
using PriceIntel.Engine.Codec;

namespace PriceIntel;

/// <summary>
/// Reads engine outputs back from their JSON Lines form (docs/wire-format.md), the lines
/// <see cref="MarketOutputJsonEncoder"/> writes, into <see cref="StoredSignal"/> and <see cref="StoredDecision"/>
/// records. Allocates (one record and its strings a line): for stores reloading their files, consumers of the
/// output topics and tests, not for the engine's hot path. Thread-safe (no state).
/// </summary>
public static class MarketOutputJsonDecoder
{
    /// <summary>Reads one output line (without its line terminator). Never throws on bad input.</summary>
    /// <param name="line">The UTF-8 line.</param>
    /// <param name="signal">The signal, when the line is one.</param>
    /// <param name="decision">The decision, when the line is one.</param>
    /// <param name="error">Why the line was not read, naming the problem; null on success.</param>
    /// <returns>True with exactly one of <paramref name="signal"/> / <paramref name="decision"/> set; false with a reason.</returns>
    public static bool TryDecode(ReadOnlySpan<byte> line, out StoredSignal? signal, out StoredDecision? decision, [NotNullWhen(false)] out string? error)
    {
        signal = null;
        decision = null;
        try
        {
            var reader = new Utf8JsonReader(line, isFinalBlock: true, state: default);
            using var doc = JsonDocument.ParseValue(ref reader);
            if (reader.Read())
            {
                error = "more than one JSON value on the line";
                return false;
            }

            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                error = "line is not a JSON object";
                return false;
            }

            var type = root.GetProperty("type").GetString();
            var id = ulong.Parse(root.GetProperty("id").GetString()!, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
            var time = DateTimeOffset.FromUnixTimeMilliseconds(root.GetProperty("ts").GetInt64());
            var product = root.GetProperty("product").GetString()!;
            if (type == "signal")
            {
                signal = new StoredSignal(
                    id,
                    (SignalKind)Name(root, "kind", WireNames.SignalKinds),
                    (SignalSeverity)Name(root, "severity", WireNames.Severities),
                    product,
                    root.TryGetProperty("competitor", out var competitor) && competitor.ValueKind == JsonValueKind.String ? competitor.GetString() : null,
                    Double(root, "observed"),
                    Double(root, "reference"),
                    Double(root, "threshold"),
                    Double(root, "magnitude"),
                    time);
                error = null;
                return true;
            }

            if (type == "decision")
            {
                decision = new StoredDecision(
                    id,
                    product,
                    root.GetProperty("old_price").GetDecimal(),
                    root.GetProperty("new_price").GetDecimal(),
                    root.GetProperty("target_price").GetDecimal(),
                    root.GetProperty("currency").GetString()!,
                    (PricingStrategyKind)Name(root, "strategy", WireNames.Strategies),
                    root.GetProperty("arm").GetInt32(),
                    (DecisionTrigger)Name(root, "trigger", WireNames.Triggers),
                    Rules(root.GetProperty("set_by")),
                    Rules(root.GetProperty("bounded")),
                    time);
                error = null;
                return true;
            }

            error = $"unknown type '{type}'; expected signal or decision";
            return false;
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or OverflowException or ArgumentException)
        {
            error = $"unreadable output line: {ex.Message}";
            return false;
        }
    }

    private static int Name(JsonElement root, string property, JsonEncodedText[] names)
    {
        var text = root.GetProperty(property).GetString() ?? string.Empty;
        for (int i = 0; i < names.Length; i++)
        {
            if (names[i].Value == text)
            {
                return i;
            }
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            ? number
            : throw new FormatException($"unknown {property} '{text}'");
    }

    private static double Double(JsonElement root, string property)
    {
        var value = root.GetProperty(property);
        return value.ValueKind == JsonValueKind.Null ? double.NaN : value.GetDouble();
    }

    private static PricingRules Rules(JsonElement array)
    {
        uint bits = 0;
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.Number)
            {
                bits |= item.GetUInt32();
                continue;
            }

            var text = item.GetString();
            int bit = Array.FindIndex(WireNames.Rules, r => r.Value == text);
            if (bit < 0)
            {
                throw new FormatException($"unknown pricing rule '{text}'");
            }

            bits |= 1u << bit;
        }

        return (PricingRules)bits;
    }
}
