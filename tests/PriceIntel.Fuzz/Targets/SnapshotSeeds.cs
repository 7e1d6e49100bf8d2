using System.Buffers;
using System.Buffers.Binary;
using PriceIntel.Engine.Core;

namespace PriceIntel.Fuzz.Targets;

/// <summary>Real engine snapshots for the snapshot target's seeds, and the frame repair that lets mutations reach the section parsers.</summary>
internal static class SnapshotSeeds
{
    /// <summary>Options with two experiment arms, so every section of the snapshot has content.</summary>
    public static PriceIntelOptions Options()
    {
        var options = new PriceIntelOptions();
        options.Experiment.Arms.Add(new ExperimentArmOptions { Name = "beat", Strategy = PricingStrategyKind.BeatLowest });
        options.Experiment.Arms.Add(new ExperimentArmOptions { Name = "median", Strategy = PricingStrategyKind.Percentile });
        return options;
    }

    /// <summary>Snapshots of an empty engine and of engines fed a small simulated market for a few hours and a day.</summary>
    public static IEnumerable<byte[]> Make(PriceIntelOptions options)
    {
        foreach (var hours in (int[])[0, 3, 30])
        {
            var keys = new MarketKeys();
            var engine = MarketEngine.Create(options, keys);
            if (hours > 0)
            {
                var simulator = new MarketSimulatorOptions { Seed = 7, ProductCount = 12, CompetitorCount = 3, Duration = TimeSpan.FromHours(hours) };
                var source = new MarketSimulator(simulator, keys);
                var buffer = new MarketEvent[1024];
                int read;
                while ((read = source.ReadAsync(buffer, NoRejections.Instance, CancellationToken.None).AsTask().GetAwaiter().GetResult()) > 0)
                {
                    engine.Process(buffer.AsSpan(0, read));
                }

                source.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }

            var output = new ArrayBufferWriter<byte>();
            engine.WriteSnapshot(output);
            yield return output.WrittenSpan.ToArray();
        }
    }

    /// <summary>
    /// When the input still holds an end marker, rewrites the trailer after it (length and checksum) so the
    /// frame check passes and the mutation reaches the section parsers; inputs whose length is a multiple of
    /// seven are left as they are, so the frame checks are fuzzed too.
    /// </summary>
    public static byte[] WithValidChecksum(byte[] input)
    {
        var marker = "PIENDSNP"u8;
        var at = input.AsSpan().LastIndexOf(marker);
        if (input.Length % 7 == 0 || at < SnapshotFormat.HeaderBytes)
        {
            return input;
        }

        var bytes = new byte[at + SnapshotFormat.TrailerBytes];
        input.AsSpan(0, at + marker.Length).CopyTo(bytes);
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(at + 8), bytes.Length);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(at + 16), SnapshotChecksum.Of(bytes.AsSpan(0, at + 16)));
        return bytes;
    }

    private sealed class NoRejections : IRejectionSink
    {
        public static readonly NoRejections Instance = new();

        public void Reject(RejectedInput rejected)
        {
        }
    }
}
