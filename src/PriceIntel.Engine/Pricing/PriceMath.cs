using System.Runtime.CompilerServices;

namespace PriceIntel.Engine.Pricing;

/// <summary>
/// Exact integer arithmetic for the pricing bounds. Fractions from the options (margins, max change,
/// minimum change) are fixed to parts per billion once, at construction; money stays in
/// <see cref="Money"/> ticks; products are computed exactly (in 64-bit pieces) and rounded in a stated
/// direction, so a bound never drifts by a binary floating-point error (1.07 × 100 is 107, not 107.00000000000001).
/// </summary>
internal static class PriceMath
{
    /// <summary>Parts per billion in one.</summary>
    public const long Billion = 1_000_000_000;

    /// <summary>A fraction as parts per billion, rounded half to even.</summary>
    public static long ToPpb(double fraction) => (long)Math.Round(fraction * Billion, MidpointRounding.ToEven);

    /// <summary>⌈ticks × ppb / 10⁹⌉ for ticks in [0, <see cref="Money.MaxPrice"/>] and ppb in [0, 9 × 10¹¹].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long MulCeil(long ticks, long ppb)
    {
        var floor = MulFloor(ticks, ppb, out bool exact);
        return exact ? floor : floor + 1;
    }

    /// <summary>⌊ticks × ppb / 10⁹⌋ for ticks in [0, <see cref="Money.MaxPrice"/>] and ppb in [0, 9 × 10¹¹].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long MulFloor(long ticks, long ppb) => MulFloor(ticks, ppb, out _);

    /// <summary>
    /// ⌊ticks × ppb / 10⁹⌋ without 128-bit division: with ppb = q·10⁹ + r and ticks = a·10⁹ + b,
    /// ticks × ppb / 10⁹ = ticks·q + a·r + b·r / 10⁹, where every product fits in 64 bits for the
    /// documented ranges, and dividing by the constant 10⁹ compiles to a multiply and shift.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static long MulFloor(long ticks, long ppb, out bool exact)
    {
        long q = Math.DivRem(ppb, Billion, out long r);
        long a = Math.DivRem(ticks, Billion, out long b);
        long low = Math.DivRem(b * r, Billion, out long rest);
        exact = rest == 0;
        return (ticks * q) + (a * r) + low;
    }

    /// <summary>The same as <see cref="MulFloor(long, long)"/> in 128-bit arithmetic: the slow obvious twin the tests check against.</summary>
    internal static long MulFloorWide(long ticks, long ppb) => (long)((Int128)ticks * ppb / Billion);

    /// <summary>True when |a − b| &lt; b × ppb / 10⁹ (b &gt; 0), exactly.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool RelativeChangeBelow(long a, long b, long ppb) =>
        (Int128)Math.Abs(a - b) * Billion < (Int128)b * ppb;

    /// <summary>The largest multiple of <paramref name="unit"/> (&gt; 0) at or below <paramref name="ticks"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long FloorTo(long ticks, long unit)
    {
        long whole = Math.DivRem(ticks, unit, out long rest);
        return (rest < 0 ? whole - 1 : whole) * unit;
    }

    /// <summary>The smallest multiple of <paramref name="unit"/> (&gt; 0) at or above <paramref name="ticks"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long CeilingTo(long ticks, long unit)
    {
        long floor = FloorTo(ticks, unit);
        return floor == ticks ? floor : floor + unit;
    }

    /// <summary>The nearest multiple of <paramref name="unit"/> (&gt; 0) to <paramref name="ticks"/>, halves to the even multiple.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long RoundTo(long ticks, long unit)
    {
        long floor = FloorTo(ticks, unit);
        long twice = (ticks - floor) * 2;
        return twice > unit || (twice == unit && ((floor / unit) & 1) != 0) ? floor + unit : floor;
    }

    /// <summary>
    /// The largest amount ≤ <paramref name="ticks"/> whose fraction of a unit is <paramref name="endingTicks"/>
    /// (e.g. 12.34 with ending 0.99 → 11.99; 12.995 → 12.99). May be negative for small amounts.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long FloorToEnding(long ticks, long endingTicks)
    {
        var whole = Math.DivRem(ticks - endingTicks, Money.Scale, out var rest);
        if (rest < 0)
        {
            whole--; // floor division for amounts below the ending
        }

        return (whole * Money.Scale) + endingTicks;
    }
}
