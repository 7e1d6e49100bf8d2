namespace PriceIntel.Engine.Signals;

/// <summary>
/// How signal evidence is rounded on the wire, so readers see <c>434.99</c>, not <c>434.989990234375</c>: a price
/// (observed price, reference level) to <see cref="Money"/>'s precision of four decimals, any other figure (score,
/// fraction, rate, factor) to six significant digits. Rounding is half to even; non-finite values pass through.
/// </summary>
internal static class EvidenceNumber
{
    /// <summary>Significant digits kept for figures that are not prices.</summary>
    public const int FigureDigits = 6;

    /// <summary>A price rounded to four decimals.</summary>
    public static double Price(double value) => double.IsFinite(value) ? Math.Round(value, 4, MidpointRounding.ToEven) : value;

    /// <summary>A figure rounded to <see cref="FigureDigits"/> significant digits.</summary>
    public static double Figure(double value)
    {
        if (!double.IsFinite(value) || value == 0)
        {
            return value;
        }

        int magnitude = (int)Math.Floor(Math.Log10(Math.Abs(value)));
        int decimals = FigureDigits - 1 - magnitude;
        if (decimals < 0)
        {
            double factor = Math.Pow(10, -decimals);
            return Math.Round(value / factor, MidpointRounding.ToEven) * factor;
        }

        return Math.Round(value, Math.Min(decimals, 15), MidpointRounding.ToEven);
    }
}
