using System.Runtime.ExceptionServices;

namespace PriceIntel.Kafka.Processing;

/// <summary>
/// A thread of its own for the partitions' engines: the consume thread cuts a partition's batch, hands it
/// over and goes on consuming, decoding and merging while this thread runs the engine on it and produces
/// its outputs. Batches run in the order they were handed over; each partition has at most one in flight
/// (its second buffer fills meanwhile), so the consume thread waits only for a partition whose previous
/// batch still runs, and before it touches that partition's engine itself (snapshot, restore, rewind,
/// hand-over).
/// </summary>
internal sealed class EngineThread : IDisposable
{
    private readonly Thread _thread;
    private readonly Queue<PartitionTask> _queue = new(64);
    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _submitted = new(0);
    private ExceptionDispatchInfo? _failure;
    private bool _stopping;

    public EngineThread()
    {
        _thread = new Thread(Run) { IsBackground = true, Name = "PriceIntel engines" };
        _thread.Start();
    }

    /// <summary>Queues <paramref name="task"/>'s handed-over batch; the caller has waited for its previous one.</summary>
    public void Submit(PartitionTask task)
    {
        task.Idle.Reset();
        lock (_lock)
        {
            _queue.Enqueue(task);
        }

        _submitted.Release();
    }

    /// <summary>Waits until <paramref name="task"/> has no batch in flight (its <see cref="PartitionTask.Idle"/>); rethrows, here, what a batch threw.</summary>
    public void WaitIdle(PartitionTask task)
    {
        task.Idle.Wait();
        if (Interlocked.Exchange(ref _failure, null) is { } failure)
        {
            failure.Throw();
        }
    }

    /// <summary>Runs what is queued, then stops the thread.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            _stopping = true;
        }

        _submitted.Release();
        _thread.Join();
        _submitted.Dispose();
    }

    private void Run()
    {
        while (true)
        {
            _submitted.Wait();
            PartitionTask? task;
            lock (_lock)
            {
                if (!_queue.TryDequeue(out task))
                {
                    if (_stopping)
                    {
                        return;
                    }

                    continue;
                }
            }

            try
            {
                task.RunSubmitted();
            }
            catch (Exception e)
            {
                _failure = ExceptionDispatchInfo.Capture(e);
            }
            finally
            {
                task.Idle.Set();
            }
        }
    }
}
