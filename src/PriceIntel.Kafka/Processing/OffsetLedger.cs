using System.Diagnostics;

namespace PriceIntel.Kafka.Processing;

/// <summary>
/// The offsets of one partition task's inputs and the ledger that moves them: each cut batch (or snapshot) is an
/// entry holding the input position it brings the partition to; entries are acknowledged strictly in order, so an
/// offset becomes acknowledged — and may be stored for commit — only when every entry before it is acknowledged.
/// Per input: <c>processed</c> (taken into batches), <c>acknowledged</c> (every output before it delivered),
/// <c>stored</c> (handed to the consumer's background commit) and <c>committed</c> (confirmed by the group).
/// Invariants (asserted in debug builds): acknowledged offsets only move forward while the ledger is not reset;
/// an offset is stored only once acknowledged, and stored offsets only move forward. Consume thread only.
/// </summary>
internal sealed class OffsetLedger
{
    private readonly Queue<LedgerEntry> _entries = new();
    private readonly long[] _processed;
    private readonly long[] _acknowledged;
    private readonly long[] _stored;
    private readonly long[] _committed;

    public OffsetLedger(int inputs)
    {
        _processed = new long[inputs];
        _acknowledged = new long[inputs];
        _stored = new long[inputs];
        _committed = new long[inputs];
        Array.Fill(_processed, -1);
        Array.Fill(_acknowledged, -1);
        Array.Fill(_stored, -1);
        Array.Fill(_committed, -1);
    }

    public int Inputs => _processed.Length;

    /// <summary>Entries not yet acknowledged.</summary>
    public int Count => _entries.Count;

    public long Processed(int input) => _processed[input];

    public long Acknowledged(int input) => _acknowledged[input];

    public long Stored(int input) => _stored[input];

    public long Committed(int input) => _committed[input];

    /// <summary>
    /// A new start (assignment, restore): reading resumes at <paramref name="start"/> (durable: the snapshot's state
    /// holds everything before it, so it counts as acknowledged), the group has <paramref name="committed"/>
    /// (which is also what the consumer has stored). Entries still queued are abandoned.
    /// </summary>
    public void Reset(ReadOnlySpan<long> start, ReadOnlySpan<long> committed)
    {
        _entries.Clear();
        start.CopyTo(_processed);
        start.CopyTo(_acknowledged);
        committed.CopyTo(_committed);
        committed.CopyTo(_stored);
    }

    /// <summary>
    /// After a rewind's <see cref="Reset"/>: what was acknowledged, stored and committed before it stays so (its
    /// outputs reached the brokers; the client and the group hold those offsets).
    /// </summary>
    public void KeepAfterRewind(ReadOnlySpan<long> acknowledged, ReadOnlySpan<long> stored, ReadOnlySpan<long> committed)
    {
        for (int i = 0; i < _processed.Length; i++)
        {
            _acknowledged[i] = Math.Max(_acknowledged[i], acknowledged[i]);
            _stored[i] = stored[i];
            _committed[i] = committed[i];
        }
    }

    /// <summary>Copies the acknowledged, stored and committed offsets out (before a rewind resets them).</summary>
    public (long[] Acknowledged, long[] Stored, long[] Committed) Copy() =>
        ((long[])_acknowledged.Clone(), (long[])_stored.Clone(), (long[])_committed.Clone());

    /// <summary>Input <paramref name="input"/>'s message before <paramref name="next"/> was taken into a batch.</summary>
    public void Processed(int input, long next)
    {
        Debug.Assert(next > _processed[input], "processed offsets move forward");
        _processed[input] = next;
    }

    /// <summary>Queues an entry behind every earlier one, stamped with the position processed so far.</summary>
    public void Append(LedgerEntry entry)
    {
        _processed.CopyTo(entry.NextOffsets, 0);
        _entries.Enqueue(entry);
    }

    /// <summary>The oldest entry not yet acknowledged, if any.</summary>
    public bool TryPeek(out LedgerEntry head) => _entries.TryPeek(out head!);

    /// <summary>
    /// Removes the head entry, which must be complete; a <see cref="LedgerEntryKind.Batch"/> entry that did not
    /// fail moves the acknowledged offsets to its position.
    /// </summary>
    public void Remove(LedgerEntry head, bool acknowledge)
    {
        Debug.Assert(_entries.Count > 0 && ReferenceEquals(_entries.Peek(), head), "entries leave the ledger in order");
        Debug.Assert(head.IsComplete, "only complete entries leave the ledger");
        _entries.Dequeue();
        if (!acknowledge)
        {
            return;
        }

        for (int i = 0; i < _acknowledged.Length; i++)
        {
            long next = head.NextOffsets[i];
            if (next >= 0)
            {
                Debug.Assert(next <= _processed[i], "an entry's position was processed");
                _acknowledged[i] = Math.Max(_acknowledged[i], next);
            }
        }
    }

    /// <summary>Inputs whose acknowledged offset is ahead of the stored one: marks them stored and returns them (or null).</summary>
    public List<(int Input, long Offset)>? TakeStoreCandidates(ReadOnlySpan<bool> owned)
    {
        List<(int, long)>? list = null;
        for (int i = 0; i < _acknowledged.Length; i++)
        {
            if (owned[i] && _acknowledged[i] > _stored[i])
            {
                (list ??= []).Add((i, _acknowledged[i]));
                _stored[i] = _acknowledged[i];
            }
        }

        return list;
    }

    /// <summary>Inputs whose acknowledged offset is ahead of the committed one (for a synchronous commit), or null.</summary>
    public List<(int Input, long Offset)>? CommitCandidates(ReadOnlySpan<bool> owned)
    {
        List<(int, long)>? list = null;
        for (int i = 0; i < _acknowledged.Length; i++)
        {
            if (owned[i] && _acknowledged[i] > _committed[i])
            {
                (list ??= []).Add((i, _acknowledged[i]));
            }
        }

        return list;
    }

    /// <summary>The group confirmed a commit of <paramref name="offset"/> for <paramref name="input"/>.</summary>
    public void Commit(int input, long offset) => _committed[input] = Math.Max(_committed[input], offset);

    /// <summary>True when nothing is queued and everything acknowledged has been committed.</summary>
    public bool IsSettledAndCommitted
    {
        get
        {
            if (_entries.Count > 0)
            {
                return false;
            }

            for (int i = 0; i < _acknowledged.Length; i++)
            {
                if (_acknowledged[i] > _committed[i])
                {
                    return false;
                }
            }

            return true;
        }
    }
}
