namespace PriceIntel;

/// <summary>Field checks of stored records: the message names the field and value.</summary>
internal static class StoreValidation
{
    public static void Key(string? value, string field)
    {
        if (string.IsNullOrEmpty(value) || value.Length > KeyTable.MaxKeyLength)
        {
            throw new ArgumentException($"{field} must be 1 to {KeyTable.MaxKeyLength} characters; got {(value is null ? "null" : $"'{Truncate(value)}'")}.", field);
        }
    }

    public static void Text(string? value, string field, int maxLength)
    {
        if (string.IsNullOrWhiteSpace(value) || value.Length > maxLength)
        {
            throw new ArgumentException($"{field} must be 1 to {maxLength} characters, not blank; got {(value is null ? "null" : $"'{Truncate(value)}'")}.", field);
        }
    }

    public static void Currency(string? value, string field)
    {
        if (value is null || !CurrencyCode.TryParse(value, out var code) || !code.IsKnown)
        {
            throw new ArgumentException($"{field} must be an ISO 4217 code; got '{value}'.", field);
        }
    }

    public static void Price(decimal value, string field)
    {
        if (value <= 0 || value > Money.MaxPrice.ToDecimal())
        {
            throw new ArgumentException($"{field} must be above 0 and at most {Money.MaxPrice.ToDecimal()}; got {value}.", field);
        }
    }

    public static void OptionalAmount(decimal? value, string field)
    {
        if (value is { } v && (v < 0 || v > Money.MaxPrice.ToDecimal()))
        {
            throw new ArgumentException($"{field} must be between 0 and {Money.MaxPrice.ToDecimal()}; got {v}.", field);
        }
    }

    private static string Truncate(string value) => value.Length <= 64 ? value : value[..64] + "…";
}
