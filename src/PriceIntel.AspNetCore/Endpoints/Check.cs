using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace PriceIntel.AspNetCore.Endpoints;

/// <summary>Field checks shared by the endpoints: each failure names the field and says what was wrong.</summary>
internal static class Check
{
    public static bool Key([NotNullWhen(true)] string? value, string field, out string? failedField, out string? error)
    {
        failedField = field;
        if (value is null)
        {
            error = $"{field} is required";
            return false;
        }

        if (string.IsNullOrWhiteSpace(value))
        {
            error = $"{field} must not be blank";
            return false;
        }

        if (value.Length > KeyTable.MaxKeyLength)
        {
            error = string.Create(CultureInfo.InvariantCulture, $"{field} is longer than {KeyTable.MaxKeyLength} characters");
            return false;
        }

        foreach (char c in value)
        {
            if (char.IsControl(c))
            {
                error = $"{field} must not contain control characters";
                return false;
            }
        }

        (failedField, error) = (null, null);
        return true;
    }

    public static bool Price(decimal? value, string field, out Money price, out string? failedField, out string? error)
    {
        price = Money.Zero;
        failedField = field;
        if (value is not { } amount)
        {
            error = $"{field} is required";
            return false;
        }

        if (amount <= 0)
        {
            error = string.Create(CultureInfo.InvariantCulture, $"{field} {amount} must be above zero");
            return false;
        }

        if (amount > Money.MaxPrice.ToDecimal())
        {
            error = string.Create(CultureInfo.InvariantCulture, $"{field} {amount} exceeds the maximum of {Money.MaxPrice}");
            return false;
        }

        price = Money.FromDecimal(amount);
        if (!price.IsValidPrice)
        {
            error = string.Create(CultureInfo.InvariantCulture, $"{field} {amount} rounds to zero at four decimals");
            return false;
        }

        (failedField, error) = (null, null);
        return true;
    }

    public static bool Currency(string? value, string field, out CurrencyCode currency, out string? failedField, out string? error)
    {
        failedField = field;
        if (value is null)
        {
            currency = default;
            error = $"{field} is required";
            return false;
        }

        if (!CurrencyCode.TryParse(value, out currency) || !currency.IsKnown)
        {
            error = $"unknown {field} '{Shorten(value)}'; expected an ISO 4217 code such as USD";
            return false;
        }

        (failedField, error) = (null, null);
        return true;
    }

    public static bool Time(DateTimeOffset? value, long now, out long timestamp, out string? failedField, out string? error)
    {
        failedField = "time";
        if (value is not { } time)
        {
            timestamp = now;
            (failedField, error) = (null, null);
            return true;
        }

        timestamp = time.ToUnixTimeMilliseconds();
        if (timestamp < 0)
        {
            error = "time must not be before 1970-01-01";
            return false;
        }

        (failedField, error) = (null, null);
        return true;
    }

    public static string Shorten(string value) => value.Length <= 40 ? value : string.Concat(value.AsSpan(0, 40), "…");
}
