using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using PriceIntel.Engine.Core;
using Xunit.Abstractions;
using Step = PriceIntel.Engine.Tests.EngineCore.EngineSnapshotTests.Step;

namespace PriceIntel.Engine.Tests.EngineCore;

/// <summary>
/// MarketEngine.Restore on damaged and hostile snapshots: anyone who can write to the state topic can also compute
/// the checksum, so these tests re-seal (recompute the trailer of) every damaged snapshot and require that Restore
/// either succeeds or throws <see cref="InvalidDataException"/> — never anything else — and allocates at most a
/// fixed multiple of the input's size plus a fixed amount.
/// </summary>
public sealed class HostileSnapshotTests(ITestOutputHelper output)
{
    private const int TrailerBytes = 24;
    private const long T0 = 1_767_571_200_000;

    private static readonly Lazy<byte[]> RealSnapshot = new(BuildSnapshot);

    /// <summary>Default windows and detector, two experiment arms: the options the checked-in fuzz findings were taken with.</summary>
    private static PriceIntelOptions Options()
    {
        var options = new PriceIntelOptions();
        options.Experiment.Arms.Add(new ExperimentArmOptions { Name = "beat", Strategy = PricingStrategyKind.BeatLowest });
        options.Experiment.Arms.Add(new ExperimentArmOptions { Name = "median", Strategy = PricingStrategyKind.Percentile });
        return options;
    }

    /// <summary>Most a restore of <paramref name="inputBytes"/> may allocate: the engine's state is a few times the bytes it is written with.</summary>
    private static long AllocationBound(int inputBytes) => (16L * inputBytes) + (16L << 20);

    public static TheoryData<string, string, int, int> CountFields => new()
    {
        // field, section tag, which occurrence of the tag, bytes from the end of the tag to the count
        { "option count", "OPTS", 0, 0 },
        { "product key count", "KEYS", 0, 0 },
        { "first product key length", "KEYS", 0, 4 },
        { "used product count", "ENGN", 0, 0 },
        { "used pair count", "ENGN", 0, 4 },
        { "pair count", "PAIR", 0, 0 },
        { "product price series count", "SWSR", 0, 12 },
        { "pair price series count", "SWSR", 1, 12 },
        { "demand product count", "DEMD", 0, 8 },
        { "board product count", "BORD", 0, 4 },
        { "drop-rule episode count", "EPIS", 0, 0 },
        { "surge-rule episode count", "EPIS", 3, 0 },
        { "scheduled product count", "SCHD", 0, 16 },
        { "our-price array count", "ENGN", 0, 96 },
    };

    [Theory]
    [MemberData(nameof(CountFields))]
    public void Oversized_and_negative_counts_are_refused_before_anything_is_allocated_for_them(string field, string tag, int occurrence, int offset)
    {
        byte[] real = RealSnapshot.Value;
        int at = FieldOffset(real, tag, occurrence, offset);
        int original = BinaryPrimitives.ReadInt32LittleEndian(real.AsSpan(at));
        foreach (int value in new[] { int.MaxValue, 1 << 30, 1 << 24, original + 1, -1, int.MinValue })
        {
            byte[] hostile = (byte[])real.Clone();
            BinaryPrimitives.WriteInt32LittleEndian(hostile.AsSpan(at), value);
            Reseal(hostile);
            var (error, allocated) = TryRestore(hostile);
            Assert.True(error is InvalidDataException, $"{field} = {value}: expected InvalidDataException, got {error?.GetType().Name ?? "success"}: {error?.Message}");
            Assert.StartsWith("Engine snapshot: ", error!.Message, StringComparison.Ordinal);
            Assert.True(allocated < (8L * real.Length) + (4L << 20), $"{field} = {value}: Restore allocated {allocated:N0} bytes for a {real.Length:N0}-byte input before refusing it");
        }
    }

    [Fact]
    public void A_count_names_its_field_and_the_bytes_left()
    {
        byte[] real = RealSnapshot.Value;
        byte[] hostile = (byte[])real.Clone();
        BinaryPrimitives.WriteInt32LittleEndian(hostile.AsSpan(FieldOffset(real, "DEMD", 0, 8)), 1 << 24);
        Reseal(hostile);
        var error = Assert.Throws<InvalidDataException>(() => MarketEngine.Restore(Options(), hostile));
        Assert.Contains("demand product count", error.Message, StringComparison.Ordinal);
        Assert.Contains("16777216", error.Message, StringComparison.Ordinal);
        Assert.Contains("are left", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadCount_checks_the_maximum_and_the_bytes_each_item_needs()
    {
        var buffer = new ArrayBufferWriter<byte>();
        var w = new SnapshotWriter(buffer);
        w.WriteInt32(10);
        w.WriteArray<long>(new long[10]);
        w.WriteInt32(11);
        w.Finish();
        byte[] bytes = buffer.WrittenSpan.ToArray();

        var r = SnapshotReader.Open(bytes);
        Assert.Equal(10, r.ReadCount("ten longs", 10, sizeof(long) - 4)); // 10 × 4 ≤ 88 bytes left
        Assert.Contains("ten longs at byte 12 is 10, outside 0..9", Message(bytes, static (ref SnapshotReader r) => r.ReadCount("ten longs", 9, 1)), StringComparison.Ordinal);
        Assert.Contains("need 1000 bytes and only 88 are left", Message(bytes, static (ref SnapshotReader r) => r.ReadCount("ten longs", 100, 100)), StringComparison.Ordinal);
        Assert.Contains("at byte 12 is 10", Message(bytes, static (ref SnapshotReader r) => r.ReadCount("ten longs", int.MaxValue, 9)), StringComparison.Ordinal);
    }

    [Fact]
    public void Truncated_snapshots_are_refused_even_with_a_valid_trailer()
    {
        byte[] real = RealSnapshot.Value;
        var rng = new Random(7);
        var cuts = new SortedSet<int> { 12, 13, 16, 20, real.Length - TrailerBytes - 1, real.Length - TrailerBytes - 8 };
        foreach (string tag in new[] { "KEYS", "ENGN", "PAIR", "SWSR", "DEMD", "BORD", "ANOD", "EPIS", "ANRL", "SCHD" })
        {
            int at = FieldOffset(real, tag, 0, 0);
            cuts.UnionWith([at - 4, at - 1, at, at + 1, at + 4]);
        }

        while (cuts.Count < 150)
        {
            cuts.Add(rng.Next(12, real.Length - TrailerBytes));
        }

        foreach (int cut in cuts)
        {
            byte[] truncated = new byte[cut + TrailerBytes];
            real.AsSpan(0, cut).CopyTo(truncated);
            Reseal(truncated);
            var (error, allocated) = TryRestore(truncated);
            Assert.True(error is InvalidDataException, $"cut at {cut}: expected InvalidDataException, got {error?.GetType().Name ?? "success"}");
            Assert.True(allocated < AllocationBound(truncated.Length), $"cut at {cut}: allocated {allocated:N0} bytes");
        }
    }

    /// <summary>Inputs that made Restore throw OverflowException or OutOfMemoryException before the counts were checked (kept from the fuzzer's findings).</summary>
    [Fact]
    public void Fuzzer_findings_are_refused_with_InvalidDataException_and_bounded_allocation()
    {
        string folder = Path.Combine(AppContext.BaseDirectory, "HostileSnapshots");
        var files = Directory.GetFiles(folder, "*.bin");
        Assert.NotEmpty(files);
        foreach (string file in files)
        {
            // The fuzzer re-seals what precedes the last end marker before it calls Restore; so do we.
            byte[] found = File.ReadAllBytes(file);
            int marker = found.AsSpan().LastIndexOf("PIENDSNP"u8);
            Assert.True(marker > 12, $"{Path.GetFileName(file)} has no end marker");
            byte[] bytes = new byte[marker + TrailerBytes];
            found.AsSpan(0, marker).CopyTo(bytes);
            Reseal(bytes);
            var (error, allocated) = TryRestore(bytes);
            output.WriteLine($"{Path.GetFileName(file)}: {bytes.Length:N0} bytes, allocated {allocated:N0}: {error?.Message ?? "restored"}");
            Assert.True(error is null or InvalidDataException, $"{Path.GetFileName(file)}: {error}");
            Assert.True(allocated < AllocationBound(bytes.Length), $"{Path.GetFileName(file)}: allocated {allocated:N0} bytes");
        }
    }

    [Fact]
    public void The_real_snapshot_restores_within_the_allocation_bound()
    {
        byte[] real = RealSnapshot.Value;
        var (error, allocated) = TryRestore(real);
        output.WriteLine($"real snapshot: {real.Length:N0} bytes; restore allocated {allocated:N0} bytes");
        Assert.Null(error);
        Assert.True(allocated < AllocationBound(real.Length));
    }

    /// <summary>One damage to a snapshot: flip a bit, set a byte, write a special 32-bit value, or cut the content there.</summary>
    public readonly record struct Damage(int Kind, double Where, int Value);

    private static Arbitrary<(Damage[] Damages, bool Reseal)> Damages =>
        (from count in Gen.Choose(1, 4)
         from damages in (from kind in Gen.Frequency((4, Gen.Constant(0)), (2, Gen.Constant(1)), (4, Gen.Constant(2)), (1, Gen.Constant(3)))
                          from position in Gen.Choose(0, 1_000_000).Select(x => x / 1_000_000.0)
                          from value in Gen.Elements(0, 1, -1, 7, 255, 65_535, 1 << 16, 1 << 20, 1 << 24, 1 << 30, int.MaxValue, int.MinValue)
                          select new Damage(kind, position, value)).ArrayOf(count)
         from reseal in Gen.Frequency((5, Gen.Constant(true)), (1, Gen.Constant(false)))
         select (damages, reseal)).ToArbitrary();

    [Property(MaxTest = 300)]
    public Property Damaged_snapshots_restore_or_throw_InvalidDataException_within_bounded_allocation() =>
        Prop.ForAll(Damages, c =>
        {
            byte[] real = RealSnapshot.Value;
            int contentEnd = real.Length - TrailerBytes;
            byte[] damaged = (byte[])real.Clone();
            foreach (var d in c.Damages)
            {
                int at = 12 + (int)(d.Where * (contentEnd - 12 - 4));
                switch (d.Kind)
                {
                    case 0:
                        damaged[at] ^= (byte)(1 << (d.Value & 7));
                        break;
                    case 1:
                        damaged[at] = (byte)d.Value;
                        break;
                    case 2:
                        BinaryPrimitives.WriteInt32LittleEndian(damaged.AsSpan(at & ~3), d.Value); // counts sit on 4-byte offsets only by chance; try both
                        BinaryPrimitives.WriteInt32LittleEndian(damaged.AsSpan(at), d.Value);
                        break;
                    default:
                        contentEnd = Math.Min(contentEnd, at);
                        break;
                }
            }

            if (contentEnd < real.Length - TrailerBytes)
            {
                Array.Resize(ref damaged, contentEnd + TrailerBytes);
            }

            if (c.Reseal)
            {
                Reseal(damaged);
            }

            var (error, allocated) = TryRestore(damaged, out var restored);
            Assert.True(error is null or InvalidDataException, $"expected success or InvalidDataException, got {error}");
            Assert.True(allocated < AllocationBound(damaged.Length), $"allocated {allocated:N0} bytes for {damaged.Length:N0}");
            if (restored is not null)
            {
                // Whatever state was accepted, the engine goes on: prices, demand, stock, costs and list prices for every known product.
                var events = new List<MarketEvent>();
                long t = Math.Max(restored.Watermark, T0);
                for (int p = 0; p < restored.Keys.Products.Count; p++)
                {
                    events.Add(MarketEvent.Demand(p, DemandAction.Purchase, 1, Money.FromDecimal(9.99m), CurrencyCode.Usd, t + p));
                    events.Add(MarketEvent.Inventory(p, 3, t + p));
                    for (int k = 0; k < restored.Keys.Competitors.Count; k++)
                    {
                        events.Add(MarketEvent.CompetitorPrice(p, k, 0, Money.FromDecimal(7m + k), CurrencyCode.Usd, Availability.InStock, t + p));
                    }

                    events.Add(MarketEvent.Cost(p, Money.FromDecimal(5m), CurrencyCode.Usd, t + p));
                    events.Add(MarketEvent.ListPrice(p, Money.FromDecimal(11m), CurrencyCode.Usd, t + p + 3_600_000));
                }

                restored.Process(events.ToArray());
            }
        });

    private static byte[] BuildSnapshot()
    {
        var keys = new MarketKeys();
        for (int p = 0; p < 6; p++)
        {
            keys.Products.Intern($"SKU-{p}");
        }

        for (int c = 0; c < 4; c++)
        {
            keys.Competitors.Intern($"rival-{c}");
        }

        keys.Platforms.Intern("web");
        var engine = MarketEngine.Create(Options(), keys);
        var rng = new Random(42);
        var steps = new Step[400];
        for (int i = 0; i < steps.Length; i++)
        {
            steps[i] = new Step(rng.Next(100), rng.Next(6), rng.Next(4), rng.Next(60_000), rng.Next(100), rng.Next(10) == 0);
        }

        engine.Process(EngineSnapshotTests.Interpret(steps));
        var buffer = new ArrayBufferWriter<byte>();
        engine.WriteSnapshot(buffer);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Recomputes the trailer (end marker, length, checksum) for the content before it, as an attacker would.</summary>
    private static void Reseal(byte[] snapshot)
    {
        int content = snapshot.Length - TrailerBytes;
        BinaryPrimitives.WriteUInt64LittleEndian(snapshot.AsSpan(content), SnapshotFormat.EndMarker);
        BinaryPrimitives.WriteInt64LittleEndian(snapshot.AsSpan(content + 8), snapshot.Length);
        BinaryPrimitives.WriteUInt64LittleEndian(snapshot.AsSpan(content + 16), SnapshotChecksum.Of(snapshot.AsSpan(0, content + 16)));
    }

    private static int FieldOffset(byte[] snapshot, string tag, int occurrence, int offset)
    {
        byte[] needle = Encoding.ASCII.GetBytes(tag);
        int at = -1;
        for (int i = 0; i <= occurrence; i++)
        {
            int next = snapshot.AsSpan(at + 1).IndexOf(needle);
            Assert.True(next >= 0, $"section {tag} #{i} not found");
            at += 1 + next;
        }

        return at + needle.Length + offset;
    }

    private static (Exception? Error, long Allocated) TryRestore(byte[] bytes) => TryRestore(bytes, out _);

    private static (Exception? Error, long Allocated) TryRestore(byte[] bytes, out MarketEngine? restored)
    {
        var options = Options();
        long before = GC.GetAllocatedBytesForCurrentThread();
        try
        {
            restored = MarketEngine.Restore(options, bytes);
            return (null, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        catch (Exception error)
        {
            restored = null;
            return (error, GC.GetAllocatedBytesForCurrentThread() - before);
        }
    }

    private delegate int ReadAction(ref SnapshotReader r);

    private static string Message(byte[] bytes, ReadAction read)
    {
        try
        {
            var r = SnapshotReader.Open(bytes);
            read(ref r);
        }
        catch (InvalidDataException error)
        {
            return error.Message;
        }

        return "no error";
    }
}
