using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace PriceIntel.AspNetCore.Contracts;

/// <summary>JSON conventions of the API: camelCase properties, snake_case enum values, ids as 16 hex digits, strict bodies.</summary>
internal static class ApiJson
{
    public static JsonSerializerOptions Options { get; } = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false));
        options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        options.NumberHandling = JsonNumberHandling.Strict;
        return options;
    }

    public static string FormatId(ulong id) => id.ToString("x16", CultureInfo.InvariantCulture);

    public static bool TryParseId(string? text, out ulong id) =>
        ulong.TryParse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out id) && text!.Length is > 0 and <= 16;

    public static string Snake(string name) => JsonNamingPolicy.SnakeCaseLower.ConvertName(name);

    /// <summary>The names of the rules set in <paramref name="rules"/>, snake_case, in flag order.</summary>
    public static IReadOnlyList<string> RuleNames(PricingRules rules)
    {
        var names = new List<string>();
        for (int bit = 0; bit < 16; bit++)
        {
            var flag = (PricingRules)(1 << bit);
            if ((rules & flag) != 0 && Enum.IsDefined(flag))
            {
                names.Add(Snake(flag.ToString()));
            }
        }

        return names;
    }
}
