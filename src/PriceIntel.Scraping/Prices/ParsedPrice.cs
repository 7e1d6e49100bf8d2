namespace PriceIntel.Scraping;

/// <summary>What <see cref="PriceText.Parse"/> made of a string.</summary>
public enum PriceTextStatus : byte
{
    /// <summary>No price could be read, or the text was not clear enough to trust one.</summary>
    NoPrice = 0,

    /// <summary>A price was read: see <see cref="ParsedPrice.Amount"/> and <see cref="ParsedPrice.Currency"/>.</summary>
    Price = 1,

    /// <summary>The text says the item is free ("Free", "Gratis") and names no price.</summary>
    Free = 2,

    /// <summary>The text says the item is sold out and names no price.</summary>
    SoldOut = 3,

    /// <summary>Several different prices with nothing to tell which is the current one, or a grouping that cannot be resolved (e.g. "3.350" with no hint).</summary>
    Ambiguous = 4,
}

/// <summary>Qualifiers found around the price that change what it means.</summary>
[Flags]
public enum PriceQualifiers : ushort
{
    /// <summary>A plain price.</summary>
    None = 0,

    /// <summary>A lower bound ("from $10", "ab 10 €").</summary>
    From = 1 << 0,

    /// <summary>The low end of a range ("$10 – $20").</summary>
    Range = 1 << 1,

    /// <summary>A multi-buy: the amount buys <see cref="ParsedPrice.Quantity"/> units ("2 for $5").</summary>
    MultiBuy = 1 << 2,

    /// <summary>A price per measure ("$2.50/kg", "€1,30 / 100 g"); not a shelf price.</summary>
    PerUnit = 1 << 3,

    /// <summary>Stated to include VAT or sales tax.</summary>
    IncludesTax = 1 << 4,

    /// <summary>Stated to exclude VAT or sales tax.</summary>
    ExcludesTax = 1 << 5,

    /// <summary>An older price was also present and was skipped ("Was $20 Now $15").</summary>
    HadOldPrice = 1 << 6,

    /// <summary>The text also says the item is sold out.</summary>
    SoldOut = 1 << 7,

    /// <summary>The currency came from the hint: the text had no currency, or a symbol several currencies share ("$").</summary>
    CurrencyFromHint = 1 << 8,

    /// <summary>The text had no currency symbol or code at all, only a number.</summary>
    BareNumber = 1 << 9,
}

/// <summary>
/// The result of parsing a price string: an exact amount, its currency (empty when the text names
/// none and no hint settles it) and what was found around it.
/// </summary>
/// <param name="Status">Whether a price was read.</param>
/// <param name="Amount">The amount, exact; zero unless <see cref="Status"/> is <see cref="PriceTextStatus.Price"/>.</param>
/// <param name="Currency">ISO 4217 currency, or empty when unknown (e.g. a bare "$" with no hint).</param>
/// <param name="Qualifiers">What the surrounding words say about the amount.</param>
/// <param name="Quantity">Units the amount buys: 1, or n for "n for $x".</param>
public readonly record struct ParsedPrice(PriceTextStatus Status, Money Amount, CurrencyCode Currency, PriceQualifiers Qualifiers, int Quantity)
{
    /// <summary>True when a price was read.</summary>
    public bool HasPrice => Status == PriceTextStatus.Price;

    /// <summary>True when a price was read and its currency is known.</summary>
    public bool HasPriceAndCurrency => Status == PriceTextStatus.Price && !Currency.IsEmpty;

    internal static ParsedPrice None(PriceTextStatus status) => new(status, Money.Zero, default, PriceQualifiers.None, 0);
}
