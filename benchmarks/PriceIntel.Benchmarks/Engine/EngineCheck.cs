namespace PriceIntel.Benchmarks.Engine;

/// <summary>
/// Checks that <see cref="NaiveMarketEngine"/> computes what <see cref="MarketEngine"/> computes: the same signals
/// and decisions (ids included), the same counters, and the same view of every product (prices, board, windows,
/// demand) when both are fed the same events from fresh state.
/// </summary>
internal static class EngineCheck
{
    /// <summary>Runs both over <paramref name="events"/> in batches and throws on the first difference.</summary>
    /// <exception cref="InvalidOperationException">The two engines disagree; the message says where.</exception>
    public static void Same(PriceIntelOptions options, MarketKeys keys, ReadOnlySpan<MarketEvent> events, int batchSize)
    {
        var engine = MarketEngine.Create(options, keys);
        var naive = new NaiveMarketEngine(options, keys);
        var engineOutputs = new List<string>();
        var naiveOutputs = new List<string>();
        for (int i = 0; i < events.Length; i += batchSize)
        {
            var batch = events.Slice(i, Math.Min(batchSize, events.Length - i));
            var outputs = engine.Process(batch);
            foreach (var s in outputs.Signals.Span)
            {
                engineOutputs.Add(s.ToString());
            }

            foreach (var d in outputs.Decisions.Span)
            {
                engineOutputs.Add(d.ToString());
            }

            naive.Process(batch, naiveOutputs);
        }

        // Products due at the same time may be priced in another order: compare as sorted lists.
        engineOutputs.Sort(StringComparer.Ordinal);
        naiveOutputs.Sort(StringComparer.Ordinal);
        for (int i = 0; i < Math.Max(engineOutputs.Count, naiveOutputs.Count); i++)
        {
            string e = i < engineOutputs.Count ? engineOutputs[i] : "(none)";
            string n = i < naiveOutputs.Count ? naiveOutputs[i] : "(none)";
            if (e != n)
            {
                throw new InvalidOperationException($"Output {i} of {engineOutputs.Count}/{naiveOutputs.Count} differs: engine {e}, naive {n}.");
            }
        }

        if (engine.Counters != naive.Counters)
        {
            throw new InvalidOperationException($"Counters differ: engine {engine.Counters}, naive {naive.Counters}.");
        }

        for (int p = 0; p < keys.Products.Count; p++)
        {
            engine.TryGetView(keys.Products.GetName(p), out var view);
            var expected = view is null
                ? ("none", [])
                : Describe(
                    view.OurPrice,
                    view.UnitCost,
                    view.UnitsOnHand,
                    view.Arm,
                    view.Competitors.Count,
                    view.Lowest,
                    view.Highest,
                    view.PriceWindows.Select(w => w.Count == 0 ? default : (w.Count, w.Min, w.Max, w.Mean, w.Median)),
                    view.DemandWindows.Select(d => (d.Views, d.AddToCarts, d.Purchases, d.Units, d.Revenue, d.ActionsPerHour)));
            var actual = naive.Describe(p);
            bool close = expected.Sums.Length == actual.Sums.Length
                && expected.Sums.Zip(actual.Sums).All(x => Math.Abs(x.First - x.Second) <= 1e-9 * Math.Max(1, Math.Abs(x.Second)));
            if (expected.Text != actual.Text || !close)
            {
                throw new InvalidOperationException($"Product {p} differs: engine {expected.Text} [{string.Join(", ", expected.Sums)}], naive {actual.Text} [{string.Join(", ", actual.Sums)}].");
            }
        }

        Console.WriteLine($"// EngineCheck: engine and naive agree on {events.Length:N0} events: {engineOutputs.Count:N0} signals and decisions, counters {engine.Counters}, {keys.Products.Count:N0} product views.");
    }

    /// <summary>One product's view: everything exact as text, and the means and revenues apart (the two sum in different orders, so they are compared to 1e-9).</summary>
    public static (string Text, double[] Sums) Describe(
        decimal ourPrice,
        decimal cost,
        int stock,
        string arm,
        int competitors,
        decimal lowest,
        decimal highest,
        IEnumerable<(long Count, double Min, double Max, double Mean, double Median)> prices,
        IEnumerable<(long Views, long Carts, long Purchases, long Units, double Revenue, double ActionsPerHour)> demand)
    {
        var text = new System.Text.StringBuilder();
        var sums = new List<double>();
        text.Append(System.Globalization.CultureInfo.InvariantCulture, $"our {ourPrice:F4} cost {cost:F4} stock {stock} arm {arm}; board {competitors} lowest {lowest:F4} highest {highest:F4};");
        foreach (var w in prices)
        {
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $" prices {w.Count} {w.Min:R} {w.Max:R} {w.Median:R}");
            sums.Add(w.Count == 0 ? 0 : w.Mean);
        }

        foreach (var d in demand)
        {
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $" demand {d.Views} {d.Carts} {d.Purchases} {d.Units} {d.ActionsPerHour:R}");
            sums.Add(d.Revenue);
        }

        return (text.ToString(), sums.ToArray());
    }
}
