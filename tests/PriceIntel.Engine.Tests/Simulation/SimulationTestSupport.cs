namespace PriceIntel.Engine.Tests.Simulation;

/// <summary>Small helpers for the simulator tests: reading a whole stream, checksums, a small market.</summary>
internal static class SimulationTestSupport
{
    public static readonly DateTimeOffset Start = new(2026, 1, 5, 0, 0, 0, TimeSpan.Zero);

    /// <summary>A small market that still shows every behaviour: 200 products × 8 competitors over 2 days.</summary>
    public static MarketSimulatorOptions SmallMarket(ulong seed = 7) => new()
    {
        Seed = seed,
        ProductCount = 200,
        CompetitorCount = 8,
        Duration = TimeSpan.FromDays(2),
    };

    public static async Task<List<MarketEvent>> ReadAllAsync(MarketSimulator simulator, int batchSize = 4096)
    {
        var all = new List<MarketEvent>();
        var buffer = new MarketEvent[batchSize];
        while (true)
        {
            var n = await simulator.ReadAsync(buffer, FailingRejections.Instance, CancellationToken.None);
            if (n == 0)
            {
                return all;
            }

            Assert.InRange(n, 1, batchSize);
            all.AddRange(buffer.AsSpan(0, n));
        }
    }

    public static async Task<List<MarketEvent>> RunAsync(MarketSimulatorOptions options, int batchSize = 4096)
    {
        await using var simulator = new MarketSimulator(options, new MarketKeys());
        return await ReadAllAsync(simulator, batchSize);
    }

    /// <summary>FNV-1a over every field of every event, in order.</summary>
    public static ulong Checksum(IEnumerable<MarketEvent> events)
    {
        var hash = new Fnv();
        foreach (var e in events)
        {
            hash.Add(e);
        }

        return hash.Value;
    }

    public struct Fnv
    {
        private ulong _hash;
        private bool _started;

        public readonly ulong Value => _started ? _hash : 14695981039346656037UL;

        public void Add(in MarketEvent e)
        {
            if (!_started)
            {
                _hash = 14695981039346656037UL;
                _started = true;
            }

            Mix((ulong)e.Timestamp);
            Mix((ulong)e.Price.Ticks);
            Mix((ulong)(uint)e.ProductId);
            Mix((ulong)(uint)e.CompetitorId);
            Mix((ulong)(uint)e.PlatformId);
            Mix((ulong)(uint)e.Quantity);
            Mix(e.Currency.Value);
            Mix((ulong)e.Kind | ((ulong)e.Action << 8) | ((ulong)e.Availability << 16));
        }

        private void Mix(ulong value)
        {
            for (int i = 0; i < 8; i++)
            {
                _hash = (_hash ^ ((value >> (i * 8)) & 0xFF)) * 1099511628211UL;
            }
        }
    }

    /// <summary>The simulator never rejects input; a call here fails the test.</summary>
    public sealed class FailingRejections : IRejectionSink
    {
        public static readonly FailingRejections Instance = new();

        public void Reject(RejectedInput rejected) => throw new InvalidOperationException("Simulator rejected input: " + rejected);
    }
}
