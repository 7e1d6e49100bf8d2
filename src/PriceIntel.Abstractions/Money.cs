using System.Globalization;
using System.Runtime.CompilerServices;

namespace PriceIntel;

/// <summary>
/// An exact money amount carried as a scaled 64-bit integer: one unit of the currency is
/// <see cref="Scale"/> (10,000) ticks, enough for every ISO 4217 minor unit (up to four decimals).
/// Amounts never drift through binary floating point at the boundary; statistics may convert to
/// <see cref="double"/> internally with <see cref="ToDouble"/>.
/// </summary>
/// <param name="Ticks">The amount in ten-thousandths of a currency unit.</param>
public readonly record struct Money(long Ticks) : IComparable<Money>
{
    /// <summary>Ticks per currency unit.</summary>
    public const long Scale = 10_000;

    /// <summary>The largest amount PriceIntel accepts as a price: one trillion units.</summary>
    public static readonly Money MaxPrice = new(1_000_000_000_000L * Scale);

    /// <summary>Zero.</summary>
    public static readonly Money Zero = new(0);

    /// <summary>Creates an amount from a decimal, rounding half to even at four decimals.</summary>
    /// <exception cref="OverflowException">The amount does not fit.</exception>
    public static Money FromDecimal(decimal amount) =>
        new(decimal.ToInt64(decimal.Round(amount * Scale, 0, MidpointRounding.ToEven)));

    /// <summary>Creates an amount from a double, rounding half to even at four decimals.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is NaN, infinite or out of range.</exception>
    public static Money FromDouble(double amount)
    {
        if (!TryFromDouble(amount, out var money))
        {
            ThrowOutOfRange(amount);
        }

        return money;
    }

    /// <summary>Creates an amount from a double; false when it is NaN, infinite or out of range.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryFromDouble(double amount, out Money money)
    {
        var scaled = Math.Round(amount * Scale, MidpointRounding.ToEven);
        if (double.IsFinite(scaled) && Math.Abs(scaled) <= 9.0e18)
        {
            money = new Money((long)scaled);
            return true;
        }

        money = default;
        return false;
    }

    /// <summary>The amount as a double (for statistics, not for money arithmetic).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double ToDouble() => Ticks / (double)Scale;

    /// <summary>The exact amount as a decimal.</summary>
    public decimal ToDecimal() => Ticks / (decimal)Scale;

    /// <summary>True when the amount is a usable price: above zero and at most <see cref="MaxPrice"/>.</summary>
    public bool IsValidPrice => Ticks > 0 && Ticks <= MaxPrice.Ticks;

    /// <summary>The largest multiple of <paramref name="unitTicks"/> at or below this amount (e.g. 181.025 → 181.02 for cents).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="unitTicks"/> is not positive.</exception>
    public Money FloorTo(long unitTicks) => new(FloorTicks(Ticks, unitTicks));

    /// <summary>The smallest multiple of <paramref name="unitTicks"/> at or above this amount (e.g. 181.021 → 181.03 for cents).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="unitTicks"/> is not positive.</exception>
    public Money CeilingTo(long unitTicks) => new(FloorTicks(Ticks, unitTicks) == Ticks ? Ticks : FloorTicks(Ticks, unitTicks) + unitTicks);

    /// <summary>The nearest multiple of <paramref name="unitTicks"/>, halves to the even multiple (181.025 → 181.02, 181.035 → 181.04).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="unitTicks"/> is not positive.</exception>
    public Money RoundTo(long unitTicks)
    {
        long floor = FloorTicks(Ticks, unitTicks);
        long rest = Ticks - floor;
        long twice = rest * 2;
        bool up = twice > unitTicks || (twice == unitTicks && (floor / unitTicks & 1) != 0);
        return new(up ? floor + unitTicks : floor);
    }

    /// <summary>This amount in the minor unit of <paramref name="currency"/> (<see cref="CurrencyCode.MinorUnitDigits"/>), rounded half to even.</summary>
    public Money RoundToMinorUnit(CurrencyCode currency) => RoundTo(currency.MinorUnitTicks);

    private static long FloorTicks(long ticks, long unitTicks)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(unitTicks);
        long whole = Math.DivRem(ticks, unitTicks, out long rest);
        if (rest < 0)
        {
            whole--;
        }

        return whole * unitTicks;
    }

    /// <inheritdoc />
    public int CompareTo(Money other) => Ticks.CompareTo(other.Ticks);

    /// <summary>Compares two amounts.</summary>
    public static bool operator <(Money left, Money right) => left.Ticks < right.Ticks;

    /// <summary>Compares two amounts.</summary>
    public static bool operator >(Money left, Money right) => left.Ticks > right.Ticks;

    /// <summary>Compares two amounts.</summary>
    public static bool operator <=(Money left, Money right) => left.Ticks <= right.Ticks;

    /// <summary>Compares two amounts.</summary>
    public static bool operator >=(Money left, Money right) => left.Ticks >= right.Ticks;

    /// <summary>Adds two amounts.</summary>
    public static Money operator +(Money left, Money right) => new(checked(left.Ticks + right.Ticks));

    /// <summary>Subtracts two amounts.</summary>
    public static Money operator -(Money left, Money right) => new(checked(left.Ticks - right.Ticks));

    /// <summary>The amount in invariant culture with up to four decimals, e.g. <c>19.99</c>.</summary>
    public override string ToString() => ToDecimal().ToString("0.00##", CultureInfo.InvariantCulture);

    private static void ThrowOutOfRange(double amount) =>
        throw new ArgumentOutOfRangeException(nameof(amount), amount, "Money amount must be finite and within ±9e14 units.");
}
