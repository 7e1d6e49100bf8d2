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

    public static MarketSignal[] Drain(OutputBuffer output)
    {
        var signals = output.Signals.ToArray();
        output.Clear();
        return signals;
    }
}
