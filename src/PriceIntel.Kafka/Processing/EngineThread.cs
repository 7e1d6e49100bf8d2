using System.Runtime.ExceptionServices;

namespace PriceIntel.Kafka.Processing;

/// <summary>
/// A thread of its own for the partitions' engines: the consume thread cuts a partition's batch, hands it
/// over and goes on consuming, decoding and merging while this thread runs the engine on it and produces
/// its outputs. Batches run in the order they were handed over. A partition has a few batch buffers, so the
/// consume thread waits only when all of them are queued here, and before it touches that partition's
/// engine itself (snapshot, restore, rewind, hand-over: <see cref="EngineHandOff.WaitIdle"/>).
/// </summary>
internal sealed class EngineThread : IDisposable
{
    private readonly Thread _thread;
    private readonly Queue<(EngineHandOff HandOff, SubmittedBatch Batch)> _queue = new(64);
    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _submitted = new(0);
    private ExceptionDispatchInfo? _failure;
    private bool _stopping;

    public EngineThread()
    {
        _thread = new Thread(Run) { IsBackground = true, Name = "PriceIntel engines" };
        _thread.Start();
    }

    /// <summary>Queues a batch of <paramref name="handOff"/>'s partition; batches run in the order they were queued.</summary>
    public void Submit(EngineHandOff handOff, SubmittedBatch batch)
    {
        lock (_lock)
        {
            _queue.Enqueue((handOff, batch));
        }

        _submitted.Release();
    }

    /// <summary>Rethrows, on the calling (consume) thread, what a batch threw on this one.</summary>
    public void ThrowIfFailed()
    {
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
            (EngineHandOff HandOff, SubmittedBatch Batch) item;
            lock (_lock)
            {
                if (!_queue.TryDequeue(out item))
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
                item.HandOff.RunSubmitted(item.Batch);
            }
            catch (Exception e)
            {
                _failure = ExceptionDispatchInfo.Capture(e);
            }
        }
    }
}
