namespace PriceIntel.Kafka.Tests.Processing;

public sealed class HappyPathTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task One_processor_reproduces_the_in_process_run(bool engineThread)
    {
        using var h = new ProcessorHarness(output);
        long published = h.PublishMarket();
        var reference = h.ComputeReference();
        Assert.Equal(published, reference.Events);

        using var processor = h.NewProcessor(o => o.EngineThread = engineThread);
        using var stop = new CancellationTokenSource();
        var run = processor.RunAsync(stop.Token);
        ProcessorHarness.WaitCaughtUp(processor);
        var counters = processor.Counters;
        output.WriteLine(counters.ToString());
        Assert.Equal(reference.Events, counters.Events);
        Assert.Equal(0, counters.ReplayedEvents);
        Assert.Equal(0, counters.DeliveryFailures);
        await stop.CancelAsync();
        await run.WaitAsync(ProcessorHarness.Patience);

        var observed = h.ReadOutputs();
        observed.AssertMatches(reference);
        Assert.Equal(observed.Distinct, observed.Copies); // no faults: no repeats either
        h.AssertFinalStateEquals(reference);
        output.WriteLine($"{reference.Events} events, {reference.Distinct} outputs, {h.Partitions} partitions");
    }
}
