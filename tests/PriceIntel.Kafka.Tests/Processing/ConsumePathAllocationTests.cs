using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using PriceIntel.Kafka.Processing;

namespace PriceIntel.Kafka.Tests.Processing;

/// <summary>
/// The processor's own per-message work — decode into the partition's queue, merge, batch, engine —
/// allocates nothing in steady state (Confluent.Kafka's objects per consumed message are its own).
/// </summary>
public sealed class ConsumePathAllocationTests
{
    [Fact]
    public void Accept_merge_and_process_allocate_nothing_per_message_in_steady_state()
    {
        var options = new KafkaOptions { BootstrapServers = "127.0.0.1:9", BatchSize = 256, MaxTaskIdle = TimeSpan.Zero };
        using var producer = new OutputProducer(options, null);
        var task = new PartitionTask(0, options.Topics.Inputs, [true, true, true], new PriceIntelOptions(), options, new ProcessorCounters(), _ => { }, NullLogger.Instance);
        task.Restore(null, new Dictionary<string, long>());
        long t0 = 1_767_225_600_000;
        var views = new byte[64][];
        for (int i = 0; i < views.Length; i++)
        {
            views[i] = Encoding.UTF8.GetBytes($"{{\"type\":\"demand\",\"product\":\"SKU-{i % 16}\",\"action\":\"view\",\"ts\":{t0 + i}}}");
        }

        long offset = 0;
        void Round(int messages)
        {
            for (int i = 0; i < messages; i++)
            {
                var value = views[i % views.Length];
                task.Accept(2, offset++, value, value.Length);
                if (i % 32 == 31)
                {
                    task.Pump(producer, Environment.TickCount64, flush: true);
                    task.Settle(producer);
                }
            }
        }

        Round(20_000); // warm-up: queues, batch array, key tables and engine state reach their size
        long before = GC.GetAllocatedBytesForCurrentThread();
        Round(20_000);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(task.Engine.Counters.EventsIn >= 40_000, $"only {task.Engine.Counters.EventsIn} events reached the engine");
        Assert.True(allocated == 0, $"{allocated} bytes allocated for 20,000 messages");
    }
}
