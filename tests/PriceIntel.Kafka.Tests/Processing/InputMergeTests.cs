using System.Text;
using PriceIntel.Kafka.Processing;
using PriceIntel.Kafka.Publishing;

namespace PriceIntel.Kafka.Tests.Processing;

/// <summary>The merge of a partition's inputs on its own: event-time order, ties by topic, and when it must wait.</summary>
public sealed class InputMergeTests
{
    private static readonly string[] Topics = ["price-updates", "competitor-data", "user-behavior"];
    private const long T0 = 1_767_225_600_000;

    private static InputMerge Merge(int inputPartitions = 0)
    {
        var merge = new InputMerge(0, Topics, [true, true, true], inputPartitions, maxMessageBytes: 1 << 20, new MarketKeys());
        merge.Reset(new MarketKeys(), [-1, -1, -1], now: 0);
        return merge;
    }

    private static void View(InputMerge merge, int topic, long offset, long ts, string product = "SKU-1")
    {
        var value = Encoding.UTF8.GetBytes($"{{\"type\":\"demand\",\"product\":\"{product}\",\"action\":\"view\",\"ts\":{ts}}}");
        merge.Accept(topic, offset, value, value.Length);
    }

    private static void End(InputMerge merge)
    {
        foreach (var q in merge.Queues)
        {
            q!.AtEnd = true;
        }
    }

    private static List<(int Topic, long Offset)> Drain(InputMerge merge, long now = 0, long idleMs = 1_000)
    {
        var order = new List<(int, long)>();
        while (merge.Next(now, idleMs) is { } q)
        {
            order.Add((q.TopicIndex, q.Head.Offset));
            q.Pop();
        }

        return order;
    }

    [Fact]
    public void Messages_leave_in_event_time_order_with_ties_by_topic_then_offset()
    {
        var merge = Merge();
        View(merge, 2, 0, T0 + 5);
        View(merge, 2, 1, T0 + 9);
        View(merge, 1, 0, T0 + 5);
        View(merge, 0, 0, T0 + 7);
        View(merge, 0, 1, T0 + 9);
        View(merge, 1, 1, T0 + 1);
        End(merge);

        // topic 1's second message (T0+1) waits behind its first (T0+5): each input stays in offset order.
        Assert.Equal([(1, 0), (1, 1), (2, 0), (0, 0), (0, 1), (2, 1)], Drain(merge));
        Assert.True(merge.IsDrained);
        Assert.Equal(0, merge.BufferedEvents);
    }

    [Fact]
    public void An_empty_input_with_data_on_its_way_holds_the_merge_until_it_idles_out()
    {
        var merge = Merge();
        View(merge, 0, 0, T0);
        merge.Queues[0]!.AtEnd = true;
        merge.Queues[1]!.AtEnd = true;
        merge.Queues[2]!.HighWatermark = 10; // user-behavior has unread data below its high watermark

        Assert.Null(merge.Next(now: 999, idleMs: 1_000));
        Assert.False(merge.IsDrained);
        Assert.Equal([(0, 0L)], Drain(merge, now: 1_000, idleMs: 1_000));
    }

    [Fact]
    public void Bad_lines_oversized_and_misrouted_messages_become_rejections_beside_the_good_events()
    {
        // Of 64 input partitions this task is partition 0: one product whose key hashes there, one that does not.
        var names = Enumerable.Range(0, 1000).Select(i => $"SKU-{i}").ToList();
        string home = names.First(n => KafkaPartitioner.Partition(Encoding.UTF8.GetBytes(n), 64) == 0);
        string away = names.First(n => KafkaPartitioner.Partition(Encoding.UTF8.GetBytes(n), 64) != 0);
        var merge = Merge(inputPartitions: 64);
        var value = Encoding.UTF8.GetBytes(
            $"{{\"type\":\"demand\",\"product\":\"{home}\",\"action\":\"view\",\"ts\":{T0}}}\r\nnot json\n \n" +
            $"{{\"type\":\"demand\",\"product\":\"{away}\",\"action\":\"view\",\"ts\":{T0 + 1}}}");
        merge.Accept(2, 0, value, value.Length);
        merge.Accept(2, 1, "{}"u8, originalLength: 2 << 20);
        End(merge);

        var q = merge.Next(0, 1_000)!;
        Assert.Equal(T0, Assert.Single(q.EventsOf(in q.Head).ToArray()).Timestamp);
        var rejections = q.RejectionsOf(in q.Head).ToArray();
        Assert.Equal(2, rejections.Length);
        Assert.Equal((2, false), (rejections[0].Line, rejections[0].Misrouted));
        Assert.Equal((4, true), (rejections[1].Line, rejections[1].Misrouted));
        Assert.Contains($"product '{away}' belongs to partition", rejections[1].Reason, StringComparison.Ordinal);
        q.Pop();

        var oversized = merge.Next(0, 1_000)!;
        var whole = Assert.Single(oversized.RejectionsOf(in oversized.Head).ToArray());
        Assert.Equal(2 << 20, whole.OriginalLength);
        Assert.Contains("Kafka:MaxMessageBytes", whole.Reason, StringComparison.Ordinal);
        Assert.Equal(0, oversized.Head.EventCount);
    }
}
