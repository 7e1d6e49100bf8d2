using Confluent.Kafka;
using FsCheck.Xunit;
using PriceIntel.Kafka.Processing;

namespace PriceIntel.Kafka.Tests.Processing;

/// <summary>
/// <see cref="OffsetLedger"/> against a naive twin that keeps every entry ever appended: the acknowledged position of
/// an input is that of the last entry in the longest fully delivered prefix; stored offsets never go back and never
/// pass what is acknowledged.
/// </summary>
public sealed class OffsetLedgerTests
{
    private const int Inputs = 3;

    [Property(MaxTest = 300)]
    public void Acknowledged_offsets_follow_the_longest_delivered_prefix_and_only_move_forward(int[] operations)
    {
        var ledger = new OffsetLedger(Inputs);
        long[] start = [-1, 5, 17];
        long[] committed = [-1, 3, 17];
        ledger.Reset(start, committed);
        var history = new List<(long[] Position, LedgerEntry Entry, List<int> Pending)>();
        var position = (long[])start.Clone();
        long[] lastStored = (long[])committed.Clone();
        long[] lastAcknowledged = (long[])start.Clone();
        bool[] owned = [true, true, true];

        foreach (int raw in operations)
        {
            int x = raw & int.MaxValue;
            int arg = x / 5;
            switch (x % 5)
            {
                case 0: // a message of one input taken into the batch
                    int input = arg % Inputs;
                    position[input] = Math.Max(position[input], -1) + 1 + (arg / Inputs % 3);
                    ledger.Processed(input, position[input]);
                    break;
                case 1: // cut a batch with some outputs in flight
                    var entry = new LedgerEntry(Inputs);
                    entry.Reset(LedgerEntryKind.Batch);
                    int messages = arg % 4;
                    for (int m = 0; m < messages; m++)
                    {
                        entry.Expect();
                    }

                    entry.Seal();
                    ledger.Append(entry);
                    Assert.Equal(position, entry.NextOffsets);
                    history.Add(((long[])position.Clone(), entry, [.. Enumerable.Range(0, messages)]));
                    break;
                case 2: // one delivery report, for any entry still waiting (reports arrive out of order)
                    var waiting = history.Where(h => h.Pending.Count > 0).ToList();
                    if (waiting.Count > 0)
                    {
                        var target = waiting[arg % waiting.Count];
                        target.Pending.RemoveAt(0);
                        target.Entry.OnDelivery(new DeliveryReport<byte[]?, byte[]> { Error = new Error(ErrorCode.NoError) });
                    }

                    break;
                case 3: // settle: the complete prefix leaves the ledger
                    while (ledger.TryPeek(out var head) && head.IsComplete)
                    {
                        ledger.Remove(head, acknowledge: true);
                    }

                    long[] expected = (long[])start.Clone();
                    foreach (var h in history)
                    {
                        if (h.Pending.Count > 0)
                        {
                            break;
                        }

                        for (int i = 0; i < Inputs; i++)
                        {
                            expected[i] = Math.Max(expected[i], h.Position[i]);
                        }
                    }

                    for (int i = 0; i < Inputs; i++)
                    {
                        Assert.Equal(expected[i], ledger.Acknowledged(i));
                        Assert.True(ledger.Acknowledged(i) >= lastAcknowledged[i], "acknowledged offsets only move forward");
                        lastAcknowledged[i] = ledger.Acknowledged(i);
                    }

                    Assert.Equal(history.Any(h => h.Pending.Count > 0) ? history.SkipWhile(h => h.Pending.Count == 0).Count() : 0, ledger.Count);
                    break;
                default: // hand acknowledged offsets to the consumer
                    foreach (var (i, offset) in ledger.TakeStoreCandidates(owned) ?? [])
                    {
                        Assert.True(offset > lastStored[i], "stored offsets only move forward");
                        Assert.True(offset <= ledger.Acknowledged(i), "only acknowledged offsets are stored");
                        lastStored[i] = offset;
                    }

                    Assert.Null(ledger.TakeStoreCandidates(owned)); // each once
                    break;
            }

            for (int i = 0; i < Inputs; i++)
            {
                Assert.True(ledger.Stored(i) <= Math.Max(ledger.Acknowledged(i), committed[i]), "nothing stored beyond what is acknowledged");
                Assert.True(ledger.Acknowledged(i) <= Math.Max(ledger.Processed(i), start[i]), "nothing acknowledged that was not processed");
            }
        }
    }

    [Fact]
    public void A_rewind_keeps_what_was_acknowledged_stored_and_committed()
    {
        var ledger = new OffsetLedger(2);
        ledger.Reset([10, 20], [8, 20]);
        ledger.Processed(0, 15);
        var entry = new LedgerEntry(2);
        entry.Reset(LedgerEntryKind.Batch);
        entry.Seal();
        ledger.Append(entry);
        Assert.True(ledger.TryPeek(out var head));
        ledger.Remove(head, acknowledge: true);
        Assert.Equal(15, ledger.Acknowledged(0));
        Assert.Equal([(0, 15L)], ledger.TakeStoreCandidates([true, true]));
        var (acknowledged, stored, committed) = ledger.Copy();

        ledger.Reset([10, 20], [15, 20]); // the rewind restores the snapshot at 10 with outputs below 15 suppressed
        ledger.KeepAfterRewind(acknowledged, stored, committed);

        Assert.Equal(15, ledger.Acknowledged(0));
        Assert.Equal(15, ledger.Stored(0));
        Assert.Equal(8, ledger.Committed(0));
        Assert.Null(ledger.TakeStoreCandidates([true, true])); // already handed to the consumer
        Assert.Equal([(0, 15L)], ledger.CommitCandidates([true, true]));
    }
}
