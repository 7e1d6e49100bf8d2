namespace PriceIntel.Kafka.Tests.Processing;

/// <summary>
/// Batch envelopes against the lateness rule: with many events per message, the publisher's span bound
/// (<see cref="KafkaOptions.MaxEnvelopeSpan"/>) keeps every input within the engine's allowed lateness of the
/// partition's watermark, so nothing is dead-lettered as late and every event reaches the windows. Without the
/// bound, 64-event envelopes of this market span hours and the merge left a large share of events late.
/// </summary>
public sealed class EnvelopeSpanTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public async Task Sixty_four_events_per_message_process_every_event_on_time_with_the_merge_results()
    {
        using var h = new ProcessorHarness(output);
        long published = h.PublishMarket(products: 40, competitors: 4, hours: 12, eventsPerMessage: 64);
        var reference = h.ComputeReference();
        Assert.Equal(published, reference.Events);
        Assert.Equal(0, reference.Engines.Values.Sum(e => e.Counters.Late)); // the single-process merge of the same messages

        using var processor = h.NewProcessor();
        using var stop = new CancellationTokenSource();
        var run = processor.RunAsync(stop.Token);
        ProcessorHarness.WaitCaughtUp(processor);
        var counters = processor.Counters;
        output.WriteLine(counters.ToString());
        Assert.Equal(0, counters.LateEvents);
        Assert.Equal(0, counters.DeadLettered);
        Assert.Equal(published, counters.Events);
        Assert.Equal(0, counters.ReplayedEvents);
        await stop.CancelAsync();
        await run.WaitAsync(ProcessorHarness.Patience);

        var observed = h.ReadOutputs();
        observed.AssertMatches(reference);
        Assert.Equal(observed.Distinct, observed.Copies);
        h.AssertFinalStateEquals(reference);
    }
}
