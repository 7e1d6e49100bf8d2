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

    /// <summary>A recurring price ("$29/month", "12,99 € / Monat") and the only price in the text; a one-off price beside it wins.</summary>
    Recurring = 1 << 10,

    /// <summary>
    /// Two different prices in one currency with no word saying which is which ("$24.99 $19.99", a price
    /// element holding the struck and the live price): the lower was taken as the current price and the
    /// higher as the old one (<see cref="HadOldPrice"/> is set too).
    /// </summary>
    OldPriceInferred = 1 << 11,

    /// <summary>Prices in two currencies ("1 299 kr (€115)"): the first, the shop's own, was taken.</summary>
    FirstOfSeveral = 1 << 12,

    /// <summary>A price only for members or card holders ("Member price", "with Clubcard"); a price for everyone beside it wins.</summary>
    MemberPrice = 1 << 13,
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

    /// <summary>
    /// Where the currency symbol or code of the price stands in the text passed to <see cref="PriceText.Parse"/>
    /// (e.g. "kr" of "1 299 kr"), so a caller can report it as written; <c>default</c> (empty) when the text had none.
    /// </summary>
    public Range Symbol { get; init; }

    /// <summary>
    /// The ISO currencies the symbol can stand for ("$" → USD, CAD, AUD…; "kr" → SEK, NOK, DKK, ISK), empty for
    /// ISO codes and bare numbers. When <see cref="Currency"/> is empty, <see cref="PriceText.ResolveCurrency"/>
    /// picks among these from page context. Points into a static table: reading it allocates nothing.
    /// </summary>
    public ReadOnlyMemory<CurrencyCode> CandidateCurrencies { get; init; }

    /// <summary>The symbol as written in <paramref name="text"/> (the same text that was parsed), or empty.</summary>
    /// <param name="text">The text passed to <see cref="PriceText.Parse"/>.</param>
    public ReadOnlySpan<char> SymbolIn(ReadOnlySpan<char> text) => Symbol.End.Value <= text.Length && Symbol.End.Value > Symbol.Start.Value ? text[Symbol.Start.Value..Symbol.End.Value] : default;

    internal static ParsedPrice None(PriceTextStatus status) => new(status, Money.Zero, default, PriceQualifiers.None, 0);
}
