using System.Threading.Channels;
using Microsoft.Data.Sqlite;

namespace PriceIntel.Storage.Sqlite;

/// <summary>
/// The write queue: every write becomes an item in a bounded queue that one writer task drains. The
/// writer takes whatever is queued (up to <see cref="MaxGroupRows"/> rows) and stores it in one
/// transaction, so callers writing at the same time share a commit and the price buckets they touch
/// are upserted once per group, not once per observation (group commit). A caller waiting for its
/// item learns the outcome only after the commit (or the failure): nothing is reported stored that is
/// not. A full queue makes callers wait (back-pressure).
/// </summary>
internal sealed partial class SqliteStore
{
    /// <summary>Rows (observations, outputs, …) one transaction takes at most.</summary>
    internal const int MaxGroupRows = 131_072;

    /// <summary>Items the queue holds before writers wait.</summary>
    internal const int QueueCapacity = 1024;

    private readonly Channel<WriteItem> _queue = Channel.CreateBounded<WriteItem>(
        new BoundedChannelOptions(QueueCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    private Task _writeLoop = Task.CompletedTask;
    private Exception? _sinkFailure;

    private void StartWriter() => _writeLoop = Task.Run(WriteLoopAsync);

    /// <summary>
    /// The rows an append of <paramref name="events"/> to the price history writes at most (its competitor
    /// and list prices), for sizing groups. A recorded batch is appended twice, to the price history and to
    /// the demand history, and each append counts only its own rows: counting the whole batch for both
    /// halved the events a group holds, doubling the commits and the price-bucket upserts of a run (the
    /// demo went from 21 to 37 groups and from 1.93 M to 2.70 M bucket upserts over 2.19 M events).
    /// </summary>
    internal static int PriceHistoryRows(ReadOnlySpan<MarketEvent> events)
    {
        int rows = 0;
        foreach (ref readonly var e in events)
        {
            if (e.Kind is MarketEventKind.CompetitorPrice or MarketEventKind.ListPrice)
            {
                rows++;
            }
        }

        return rows;
    }

    /// <summary>The rows an append of <paramref name="events"/> to the demand history writes at most (as <see cref="PriceHistoryRows"/>).</summary>
    internal static int DemandHistoryRows(ReadOnlySpan<MarketEvent> events)
    {
        int rows = 0;
        foreach (ref readonly var e in events)
        {
            if (DemandEventIdAssigner.IsDemandHistoryEvent(in e))
            {
                rows++;
            }
        }

        return rows;
    }

    /// <summary>Queues <paramref name="work"/> and waits until it is committed (or failed, with nothing of it stored).</summary>
    private async ValueTask<T> WriteAsync<TState, T>(TState state, Func<WriteContext, TState, T> work, CancellationToken cancellationToken, int rows = 1)
    {
        var item = new WriteItem<TState, T>(state, work, rows, cancellationToken);
        await EnqueueAsync(item, cancellationToken).ConfigureAwait(false);
        return await item.Task.ConfigureAwait(false);
    }

    /// <summary>Like <see cref="WriteAsync{TState, T}"/> for writes that queue observations: the result adds the new ones among them.</summary>
    private async ValueTask<int> WriteCountingAsync<TState>(TState state, Func<WriteContext, TState, int> work, int rows, CancellationToken cancellationToken)
    {
        var item = new CountingWrite<TState>(state, work, rows, cancellationToken);
        await EnqueueAsync(item, cancellationToken).ConfigureAwait(false);
        return await item.Task.ConfigureAwait(false);
    }

    private async ValueTask EnqueueAsync(WriteItem item, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        try
        {
            await _queue.Writer.WriteAsync(item, cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException ex)
        {
            throw new ObjectDisposedException($"store '{_path}' is closed", ex);
        }
    }

    /// <summary>The first failure of a queued output batch: the sink is broken from then on.</summary>
    private void ThrowIfSinkFailed()
    {
        if (Volatile.Read(ref _sinkFailure) is { } failure)
        {
            throw failure as MarketStoreException
                ?? new MarketStoreException(_path, $"store '{_path}' failed to store queued outputs: {failure.Message}", failure);
        }
    }

    private async Task WriteLoopAsync()
    {
        var reader = _queue.Reader;
        var group = new List<WriteItem>();
        var single = new List<WriteItem>(1);
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            group.Clear();
            int rows = 0;
            while (rows < MaxGroupRows && reader.TryRead(out var item))
            {
                if (item.CancellationToken.IsCancellationRequested)
                {
                    item.Fail(new OperationCanceledException(item.CancellationToken));
                    continue;
                }

                group.Add(item);
                rows += item.Rows;
            }

            if (group.Count == 0)
            {
                continue;
            }

            var (failure, exhausted) = await RunWithRetriesAsync(group).ConfigureAwait(false);
            if (failure is null)
            {
                foreach (var item in group)
                {
                    item.Complete();
                }
            }
            else if (group.Count == 1 || exhausted)
            {
                // Busy, full or I/O errors that outlasted the retries concern the store, not an item: all fail.
                foreach (var item in group)
                {
                    item.Fail(failure);
                }
            }
            else
            {
                // One item broke the group (nothing of it was committed): store the items one by one so
                // the failure reaches only the item that caused it.
                foreach (var item in group)
                {
                    single.Clear();
                    single.Add(item);
                    var (own, _) = await RunWithRetriesAsync(single).ConfigureAwait(false);
                    if (own is null)
                    {
                        item.Complete();
                    }
                    else
                    {
                        item.Fail(own);
                    }
                }
            }
        }
    }

    /// <summary>Runs a group in one transaction, retrying transient failures with a doubling delay.</summary>
    /// <returns>Null when committed; else the failure and whether it was a transient one that outlasted the retries.</returns>
    private async ValueTask<(Exception? Failure, bool Exhausted)> RunWithRetriesAsync(List<WriteItem> items)
    {
        var delay = _options.RetryDelay;
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                _context.Run(items);
                return (null, false);
            }
            catch (SqliteException ex) when (IsTransient(ex) && attempt < _options.WriteRetries)
            {
                await Task.Delay(delay).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(10).Ticks));
            }
            catch (SqliteException ex)
            {
                return (Translate(ex), IsTransient(ex));
            }
            catch (Exception ex)
            {
                return (ex, false);
            }
        }
    }

    /// <summary>One queued write.</summary>
    private abstract class WriteItem(int rows, CancellationToken cancellationToken)
    {
        /// <summary>Rows it writes (for sizing groups).</summary>
        public int Rows { get; } = Math.Max(1, rows);

        /// <summary>Checked before the item joins a transaction; not once it has.</summary>
        public CancellationToken CancellationToken { get; } = cancellationToken;

        /// <summary>Does the item's work inside the group's transaction (may run again after a rollback).</summary>
        public abstract void Execute(WriteContext context);

        /// <summary>After the group's queued observations were inserted, before the commit.</summary>
        public virtual void Settle(WriteContext context, int slot)
        {
        }

        /// <summary>The group committed.</summary>
        public abstract void Complete();

        /// <summary>The item was not stored.</summary>
        public abstract void Fail(Exception exception);
    }

    /// <summary>A write whose caller waits for its result.</summary>
    private class WriteItem<TState, T>(TState state, Func<WriteContext, TState, T> work, int rows, CancellationToken cancellationToken)
        : WriteItem(rows, cancellationToken)
    {
        private readonly TaskCompletionSource<T> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<T> Task => _done.Task;

        /// <summary>What the caller gets once the group commits.</summary>
        protected T Result { get; set; } = default!;

        public override void Execute(WriteContext context) => Result = work(context, state);

        public override void Complete() => _done.TrySetResult(Result);

        public override void Fail(Exception exception)
        {
            if (exception is OperationCanceledException canceled)
            {
                _done.TrySetCanceled(canceled.CancellationToken);
            }
            else
            {
                _done.TrySetException(exception);
            }
        }
    }

    /// <summary>A write of observations whose caller learns how many were new (known once the group's observations are inserted).</summary>
    private sealed class CountingWrite<TState>(TState state, Func<WriteContext, TState, int> work, int rows, CancellationToken cancellationToken)
        : WriteItem<TState, int>(state, work, rows, cancellationToken)
    {
        public override void Settle(WriteContext context, int slot) => Result += context.AddedBy(slot);
    }

    /// <summary>
    /// An output batch from the sink: copied when queued (the engine reuses its buffers), written with
    /// whatever else is queued, its failure kept for the sink's next write or flush.
    /// </summary>
    private sealed class OutputWrite(SqliteStore store, MarketSignal[] signals, PricingDecision[] decisions, MarketKeys keys)
        : WriteItem(signals.Length + decisions.Length, CancellationToken.None)
    {
        public override void Execute(WriteContext context)
        {
            context.InsertSignals(signals, keys);
            context.InsertDecisions(decisions, keys);
        }

        public override void Complete()
        {
        }

        public override void Fail(Exception exception) => Interlocked.CompareExchange(ref store._sinkFailure, exception, null);
    }
}
