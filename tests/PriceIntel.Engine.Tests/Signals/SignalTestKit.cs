using PriceIntel.Engine.Anomaly;
using PriceIntel.Engine.Core;

namespace PriceIntel.Engine.Tests.Signals;

internal static class SignalTestKit
{
    public const long T0 = 1_700_000_000_000;
    public const long Minute = 60_000;

    public static readonly AlertOptions Alerts = new();

    /// <summary>Keys with "sku-1" and competitor "acme", interned after <paramref name="padding"/> other keys so ids differ between tables.</summary>
    public static (MarketKeys Keys, int Product, int Competitor) Keys(int padding = 0)
    {
        var keys = new MarketKeys();
        for (int i = 0; i < padding; i++)
        {
            keys.Products.Intern($"other-{i}");
            keys.Competitors.Intern($"rival-{i}");
        }

        return (keys, keys.Products.Intern("sku-1"), keys.Competitors.Intern("acme"));
    }

    /// <summary>A detector result whose <see cref="AnomalyScore.Score"/> is <paramref name="score"/> (a level shift carries it as its run score).</summary>
    public static AnomalyScore Result(double score, AnomalyVerdict verdict, double baseline) =>
        new(TailProbability.DeviationFor(score), verdict, baseline, 1, verdict == AnomalyVerdict.LevelShift ? score : 0);

    /// <summary>The engine's detector with default options.</summary>
    public static RobustSeriesDetector EngineDetector() => new(EngineAnomalyOptions.From(new AnomalyOptions()), 1);

    public static MarketSignal[] Drain(OutputBuffer output)
    {
        var signals = output.Signals.ToArray();
        output.Clear();
        return signals;
    }
}
