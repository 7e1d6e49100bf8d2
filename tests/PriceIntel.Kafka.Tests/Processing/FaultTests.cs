using PriceIntel.Kafka.Testing;
using Xunit.Abstractions;

namespace PriceIntel.Kafka.Tests.Processing;

/// <summary>
/// Broker faults injected into librdkafka's mock cluster while a processor runs: after everything is
/// processed, the outputs (deduplicated by id) equal the in-process reference — nothing lost, nothing
/// extra, per-product order kept — and the final state equals the reference's.
/// </summary>
public sealed class FaultTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Produce_errors_and_a_slow_broker_lose_nothing()
    {
        using var h = new ProcessorHarness(output);
        h.PublishMarket(products: 60, hours: 24);
        var reference = h.ComputeReference();

        // Retriable produce errors, then every broker slower than the client's socket timeout, so
        // in-flight produce requests time out and are sent again (which duplicates on this mock).
        h.Mock.Cluster.PushRequestErrors(KafkaApiKey.Produce, Confluent.Kafka.ErrorCode.NotLeaderForPartition, Confluent.Kafka.ErrorCode.RequestTimedOut, Confluent.Kafka.ErrorCode.NotEnoughReplicas, Confluent.Kafka.ErrorCode.LeaderNotAvailable);
        // One produce request in flight per connection: the mock checks idempotent sequence numbers only for
        // transactional producers, so it appends a batch pipelined behind one it refused; librdkafka then takes
        // the refused batch as implicitly acknowledged by its successor and never retries it (seen in its
        // debug log: "implicitly acked by subsequent batch success"). A real broker refuses the successor
        // with OUT_OF_ORDER_SEQUENCE_NUMBER, so this only keeps the mock from losing what Kafka would not.
        using var processor = h.NewProcessor(o =>
        {
            o.Client["socket.timeout.ms"] = "1000";
            o.Client["max.in.flight.requests.per.connection"] = "1";
        });
        processor.BatchProcessed = Pace.PerEvent(TimeSpan.FromMilliseconds(0.2));
        using var stop = new CancellationTokenSource();
        var run = processor.RunAsync(stop.Token);
        ProcessorHarness.WaitFor(() => processor.Counters.Events > reference.Events / 5, "a fifth of the events processed");
        for (int b = 1; b <= 3; b++)
        {
            h.Mock.Cluster.SetBrokerRtt(b, TimeSpan.FromMilliseconds(2500));
        }

        Thread.Sleep(4000);
        for (int b = 1; b <= 3; b++)
        {
            h.Mock.Cluster.SetBrokerRtt(b, TimeSpan.Zero);
        }

        ProcessorHarness.WaitCaughtUp(processor);
        await h.StopAsync(processor, stop, run);

        h.AssertOutputsAndFinalState(reference);
    }

    [Fact]
    public async Task All_brokers_down_then_up_mid_stream_loses_nothing()
    {
        using var h = new ProcessorHarness(output);
        h.PublishMarket(products: 60, hours: 24);
        var reference = h.ComputeReference();

        using var processor = h.NewProcessor();
        processor.BatchProcessed = Pace.PerEvent(TimeSpan.FromMilliseconds(0.2));
        using var stop = new CancellationTokenSource();
        var run = processor.RunAsync(stop.Token);
        ProcessorHarness.WaitFor(() => processor.Counters.Events > reference.Events / 4, "a quarter of the events processed");
        h.Mock.Cluster.SetAllBrokersDown();
        Thread.Sleep(3000); // shorter than the delivery timeout (20 s) and the session timeout (6 s)
        h.Mock.Cluster.SetAllBrokersUp();

        ProcessorHarness.WaitCaughtUp(processor);
        await h.StopAsync(processor, stop, run);

        h.AssertOutputsAndFinalState(reference);
    }

    [Fact]
    public async Task An_outage_longer_than_the_delivery_timeout_is_reported_and_the_gap_replayed()
    {
        using var h = new ProcessorHarness(output);
        h.PublishMarket(products: 60, hours: 24);
        var reference = h.ComputeReference();

        using var processor = h.NewProcessor(o => o.DeliveryTimeout = TimeSpan.FromSeconds(2));
        processor.BatchProcessed = Pace.PerEvent(TimeSpan.FromMilliseconds(0.2));
        using var stop = new CancellationTokenSource();
        var run = processor.RunAsync(stop.Token);
        ProcessorHarness.WaitFor(() => processor.Counters.Events > reference.Events / 4, "a quarter of the events processed");
        h.Mock.Cluster.SetAllBrokersDown();
        ProcessorHarness.WaitFor(() => processor.Counters.DeliveryFailures > 0, "a delivery failure reported");
        Assert.Contains("delivery to", processor.LastDeliveryError, StringComparison.Ordinal);
        Assert.True(processor.Counters.Rewinds > 0 || processor.Counters.DeliveryFailures > 0);
        h.Mock.Cluster.SetAllBrokersUp();

        ProcessorHarness.WaitCaughtUp(processor);
        await stop.CancelAsync();
        await run.WaitAsync(ProcessorHarness.Patience);
        var counters = processor.Counters;
        output.WriteLine(counters.ToString());
        Assert.True(counters.Rewinds > 0, "the failed partition was rewound");
        Assert.True(counters.Events + counters.ReplayedEvents > reference.Events, "part of the input was processed again");

        h.AssertOutputsAndFinalState(reference, byLastAppearance: true);
    }
}
