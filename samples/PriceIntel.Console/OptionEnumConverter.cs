using System.ComponentModel;
using System.Globalization;

namespace PriceIntel.ConsoleDemo;

/// <summary>
/// Reads an enum option by name (any case, no numbers), and refuses anything else with the option and the
/// accepted names ("--buckets must be one of Minute, Hour, Day; got 'Week'") instead of the runtime's
/// "Week is not a valid value for PriceBucketSize.".
/// </summary>
internal abstract class OptionEnumConverter<TEnum>(string option) : TypeConverter
    where TEnum : struct, Enum
{
    public override bool CanConvertFrom(ITypeDescriptorContext? context, Type sourceType) => sourceType == typeof(string);

    public override object ConvertFrom(ITypeDescriptorContext? context, CultureInfo? culture, object value)
    {
        string text = value as string ?? string.Empty;
        if (text.Length > 0 && !char.IsAsciiDigit(text[0]) && text[0] != '-' && Enum.TryParse<TEnum>(text, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed))
        {
            return parsed;
        }

        throw new DemoUsageException($"{option} must be one of {string.Join(", ", Enum.GetNames<TEnum>())}; got '{text}'");
    }
}

/// <summary><c>query --buckets</c>.</summary>
internal sealed class BucketSizeOptionConverter() : OptionEnumConverter<PriceBucketSize>("--buckets");

/// <summary><c>query --kind</c>.</summary>
internal sealed class SignalKindOptionConverter() : OptionEnumConverter<SignalKind>("--kind");
