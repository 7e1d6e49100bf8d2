using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using PriceIntel.Engine.Core;
using PriceIntel.Engine.Signals;
using static PriceIntel.Engine.Tests.Signals.SignalTestKit;

namespace PriceIntel.Engine.Tests.Signals;

public sealed class EpisodeProperties
{
    private static readonly Gen<(int Step, bool Holds)[]> Steps =
        Gen.ArrayOf(Gen.Zip(Gen.Choose(0, 40), Gen.Elements(true, false)));

    [Property(MaxTest = 300)]
    public Property Signals_of_one_key_are_at_least_a_cooldown_apart_and_match_the_model() =>
        Prop.ForAll(Steps.ToArbitrary(), Gen.Choose(0, 120).ToArbitrary(), (steps, cooldownMinutes) =>
        {
            var (keys, product, _) = Keys();
            var rule = new DemandSurgeRule(new AlertOptions { CooldownMinutes = cooldownMinutes }, keys);
            var output = new OutputBuffer();
            long cooldown = cooldownMinutes * Minute;
            long time = T0;
            bool modelActive = false;
            long? modelLast = null;
            foreach (var (step, holds) in steps)
            {
                time += step * Minute;
                bool raised = rule.Evaluate(product, holds ? 30 : 10, 10, 100, time, output);

                // The slow obvious twin of the episode logic.
                bool expected = false;
                if (!holds)
                {
                    modelActive = false;
                }
                else if (!modelActive && (modelLast is null || time - modelLast.Value >= cooldown))
                {
                    modelActive = true;
                    modelLast = time;
                    expected = true;
                }

                if (raised != expected)
                {
                    return false;
                }
            }

            var signals = output.Signals.ToArray();
            for (int i = 1; i < signals.Length; i++)
            {
                if (signals[i].Timestamp - signals[i - 1].Timestamp < cooldown)
                {
                    return false;
                }
            }

            return true;
        });

    [Property(MaxTest = 200)]
    public Property A_condition_that_holds_throughout_raises_exactly_once() =>
        Prop.ForAll(Gen.Choose(1, 200).ToArbitrary(), Gen.Choose(0, 30).ToArbitrary(), (points, step) =>
        {
            var (keys, product, competitor) = Keys();
            var rule = new CompetitorPriceDropRule(Alerts, keys);
            var output = new OutputBuffer();
            for (int i = 0; i < points; i++)
            {
                rule.Evaluate(0, product, competitor, 50, 100, AnomalyVerdict.Normal, T0 + (i * step * Minute), output);
            }

            return output.SignalCount == 1;
        });

    [Fact]
    public void Evaluating_rules_allocates_nothing_in_steady_state()
    {
        var (keys, product, competitor) = Keys();
        var drop = new CompetitorPriceDropRule(Alerts, keys, 64);
        var surge = new DemandSurgeRule(Alerts, keys, 64);
        var stock = new LowInventoryRule(Alerts, keys, 64);
        var anomaly = new PriceAnomalyRule(Alerts, keys, 64);
        var output = new OutputBuffer(4096);
        void Run(long start)
        {
            for (int i = 0; i < 10_000; i++)
            {
                long t = start + (i * Minute);
                drop.Evaluate(i & 63, product, competitor, i % 7 == 0 ? 80 : 100, 100, AnomalyVerdict.Normal, t, output);
                surge.Evaluate(product, i % 11 == 0 ? 30 : 10, 10, 50, t, output);
                stock.Evaluate(product, i % 13 == 0 ? 5 : 50, t, output);
                anomaly.Evaluate(i & 63, product, competitor, 10, Result(i % 5 == 0 ? 9 : 1, AnomalyVerdict.Outlier, 10), t, output);
            }
        }

        Run(T0);
        output.Clear();
        long before = GC.GetAllocatedBytesForCurrentThread();
        Run(T0 + (20_000 * Minute));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(output.SignalCount > 0);
        Assert.Equal(0, allocated);
    }
}
