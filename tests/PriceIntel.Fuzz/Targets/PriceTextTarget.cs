using System.Runtime.InteropServices;
using PriceIntel.Scraping;

namespace PriceIntel.Fuzz.Targets;

/// <summary>
/// <see cref="PriceText.Parse"/>: the input's bytes read as UTF-16 code units (so lone surrogates and any
/// char occur); must never throw, whatever the text, and returns no negative or non-finite amount.
/// </summary>
internal sealed class PriceTextTarget : FuzzTarget
{
    public override string Name => "price-text";

    public override int MaxInputBytes => 2 * 1024;

    public override TimeSpan TimeBudget => TimeSpan.FromMilliseconds(100);

    public override long AllocationBudget(int inputLength) => 16 * 1024;

    public override IReadOnlyList<byte[]> Dictionary { get; } =
        [.. new[] { "$", "€", "£", "¥", "₽", "kr", "Rs", "US$", "R$", "zł", "Kč", "грн", "ر.س", "د.إ", "円", "元", " ", "\u00A0", "\u202F", ",", ".", "'", "-", "–", "from ", "/month", "USD", "eur" }
            .Select(t => MemoryMarshal.AsBytes(t.AsSpan()).ToArray())];

    public override IEnumerable<byte[]> BuiltInSeeds() =>
        new[] { "$19.99", "1.234,56 €", "£ 1,099", "¥12,800", "1 299,00 руб.", "CHF 1'234.50", "19,99 zł", "Rs. 1,23,456.00", "from $5 to $9", "US$ 12" }
            .Select(t => MemoryMarshal.AsBytes(t.AsSpan()).ToArray());

    public override void Run(byte[] input)
    {
        var chars = MemoryMarshal.Cast<byte, char>(input.AsSpan(0, input.Length & ~1));
        var price = PriceText.Parse(chars);
        _ = price.ToString();
    }
}
