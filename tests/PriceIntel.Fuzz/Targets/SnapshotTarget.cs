namespace PriceIntel.Fuzz.Targets;

/// <summary>
/// <see cref="MarketEngine.Restore"/>: snapshots arrive from a Kafka state topic that anyone with write
/// access can fill, so any bytes must give an engine or <see cref="InvalidDataException"/> — never another
/// exception, never gigabytes of allocation, never long work. Seeds are real snapshots of a busy engine;
/// the checksum is recomputed by the mutator's caller half the time so mutations reach the parser.
/// </summary>
internal sealed class SnapshotTarget : FuzzTarget
{
    private readonly PriceIntelOptions _options = SnapshotSeeds.Options();

    public override string Name => "snapshot";

    public override int MaxInputBytes => 512 * 1024;

    public override TimeSpan TimeBudget => TimeSpan.FromSeconds(1);

    public override long AllocationBudget(int inputLength) => 64L * 1024 * 1024 + 64L * inputLength;

    public override IEnumerable<byte[]> BuiltInSeeds() => SnapshotSeeds.Make(_options);

    public override void Run(byte[] input)
    {
        var bytes = SnapshotSeeds.WithValidChecksum(input);
        _ = MarketEngine.Restore(_options, bytes);
    }

    public override bool IsAllowed(Exception exception) => exception is InvalidDataException;
}
