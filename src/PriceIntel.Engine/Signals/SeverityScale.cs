namespace PriceIntel.Engine.Signals;

/// <summary>
/// The shared severity cut points of rules whose magnitude is compared with a threshold
/// (competitor price drop, demand surge): ratio = magnitude / threshold;
/// Info below 1.5, Warning from 1.5 below 2, Critical from 2. E.g. with the default 15 % drop threshold:
/// 15–22.5 % Info, 22.5–30 % Warning, ≥ 30 % Critical; with the default 2× surge factor: 2–3× Info,
/// 3–4× Warning, ≥ 4× Critical.
/// </summary>
internal static class SeverityScale
{
    /// <summary>Magnitude / threshold at and above which a signal is a Warning.</summary>
    public const double WarningRatio = 1.5;

    /// <summary>Magnitude / threshold at and above which a signal is Critical.</summary>
    public const double CriticalRatio = 2.0;

    /// <summary>The severity of a magnitude that reached <paramref name="threshold"/> (> 0).</summary>
    public static SignalSeverity FromRatio(double magnitude, double threshold)
    {
        // Compare magnitude with threshold × cut rather than dividing, so exact cut points classify upward.
        if (magnitude >= threshold * CriticalRatio)
        {
            return SignalSeverity.Critical;
        }

        return magnitude >= threshold * WarningRatio ? SignalSeverity.Warning : SignalSeverity.Info;
    }
}
