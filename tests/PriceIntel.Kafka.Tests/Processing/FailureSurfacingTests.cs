using Xunit.Abstractions;

namespace PriceIntel.Kafka.Tests.Processing;

/// <summary>
/// Failures reach the caller at once (issue 13): an exception in a partition's engine stops the processor at the next
/// tick, not at the next snapshot; a rebalance callback that fails (a restore that times out) stops it with the reason.
/// </summary>
public sealed class FailureSurfacingTests(ITestOutputHelper output)
{
    /// <summary>Far longer than any wait below: a failure seen only at the next snapshot would time the test out.</summary>
    private static readonly TimeSpan LongInterval = TimeSpan.FromMinutes(10);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task An_engine_failure_stops_the_processor_at_once_without_committing_its_partition(bool engineThread)
    {
        using var h = new ProcessorHarness(output);
        h.Options.SnapshotInterval = LongInterval;
        h.PublishMarket(products: 20, hours: 6); // ~1,900 events per partition: several batches of 512
        using var processor = h.NewProcessor(o => o.EngineThread = engineThread);
        const int failing = 1;
        int batches = 0;
        processor.BatchProcessed = (partition, _) =>
        {
            if (partition == failing && Interlocked.Increment(ref batches) == 2)
            {
                throw new InvalidProgramException("boom in the engine");
            }
        };

        using var stop = new CancellationTokenSource();
        var run = processor.RunAsync(stop.Token);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => run.WaitAsync(TimeSpan.FromSeconds(60)));

        output.WriteLine(error.Message);
        Assert.Contains($"partition {failing}", error.Message, StringComparison.Ordinal);
        Assert.Contains("boom in the engine", error.Message, StringComparison.Ordinal);
        Assert.IsType<InvalidProgramException>(error.InnerException);
        Assert.Contains($"partition {failing}", processor.LastError, StringComparison.Ordinal);
        Assert.Equal(0, processor.Counters.AssignedPartitions);

        // The failed partition's broken engine was never written (SnapshotInterval is long, so only the hand-over
        // writes state: the other partitions' hand-overs did, for those that had processed anything).
        var finals = h.ReadFinalEngines();
        Assert.False(finals.ContainsKey(failing), "no snapshot of the failed partition's broken engine");
    }

    [Fact]
    public async Task A_restore_that_times_out_stops_the_processor_with_the_reason()
    {
        using var h = new ProcessorHarness(output);
        h.Options.RestoreTimeout = TimeSpan.FromSeconds(2);
        h.PublishMarket(products: 10, hours: 1);
        for (int p = 0; p < h.Partitions; p++)
        {
            h.Mock.Cluster.SetPartitionLeader(h.Options.Topics.State, p, -1); // the state cannot be read
        }

        using var processor = h.NewProcessor();
        using var stop = new CancellationTokenSource();
        var run = processor.RunAsync(stop.Token);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => run.WaitAsync(TimeSpan.FromSeconds(60)));

        output.WriteLine(error.ToString());
        Assert.StartsWith("Taking over partitions", error.Message, StringComparison.Ordinal);
        Assert.Contains("RestoreTimeout", error.Message, StringComparison.Ordinal);
        Assert.IsType<TimeoutException>(error.InnerException);
        Assert.Equal(0, processor.Counters.Events);
        Assert.Equal(0, processor.Counters.AssignedPartitions);
    }
}
