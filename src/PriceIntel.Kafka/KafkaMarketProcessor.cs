using System.Diagnostics.Metrics;
using System.Globalization;
using System.Runtime.ExceptionServices;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PriceIntel.Kafka.Processing;

namespace PriceIntel.Kafka;

/// <summary>
/// Runs PriceIntel engines as members of a Kafka consumer group: each owned partition number (the same
/// partition of every input topic — topics are keyed by product and equally partitioned) gets its own
/// <see cref="MarketEngine"/>. Outputs go to the signal and decision topics keyed by product; input offsets
/// are committed only once the outputs of everything before them are acknowledged; each partition's state
/// is written to the state topic together with the offsets it was taken at, and restored from there when
/// the partition is assigned (rebalance, restart, crash), so N processes produce the results one would.
/// </summary>
/// <remarks>
/// <para>Delivery: at least once. Replays (after a crash before commit, or a delivery failure) re-emit
/// outputs with the same deterministic ids; consumers drop repeats by id (the <c>priceintel-id</c>
/// header). Outputs already acknowledged before the last commit are not re-emitted on restore.</para>
/// <para>Determinism: a partition's input topics are merged in event-time order of their messages (ties:
/// price updates, competitor data, user behaviour, then offset); an input with nothing buffered holds the
/// merge while its partition still has unfetched data (below the high watermark the last fetch reported),
/// at most <see cref="KafkaOptions.MaxTaskIdle"/> for a partition that cannot be fetched. For input
/// already in Kafka (catch-up, replay, restore) this makes results independent of fetch timing and of
/// which process handles the partition; for live input that arrives after the consumer caught up, the
/// interleaving of topics follows arrival.</para>
/// <para>Poison: undecodable lines, invalid values and oversized messages go to the dead-letter topic with
/// headers naming source topic, partition, offset, line and error; the good lines of the same message
/// and the rest of the partition are processed.</para>
/// </remarks>
public sealed class KafkaMarketProcessor : IDisposable
{
    private readonly PriceIntelOptions _engineOptions;
    private readonly KafkaOptions _options;
    private readonly ILogger _logger;
    private readonly ProcessorCounters _counters = new();
    private readonly Dictionary<int, PartitionTask> _tasks = [];
    private readonly IReadOnlyList<string> _inputs;
    private readonly RawValueDeserializer _raw;
    private OutputProducer? _producer;
    private EngineThread? _engineThread;
    private PartitionRestore? _restore;
    private PartitionHandOver? _handOver;
    private IConsumer<Ignore, RawValue>? _consumer;
    private List<TopicPartition>? _resumeAfterAssign;
    private long _nextDescription;
    private volatile bool _caughtUp;
    private volatile int _assigned;
    private int _running;
    private readonly ProcessorClock _clock;
    private ExceptionDispatchInfo? _handlerFailure;
    private int _inputPartitions;

    private readonly IMeterFactory? _meterFactory;

    private KafkaMarketProcessor(PriceIntelOptions engineOptions, KafkaOptions options, ILogger logger, TimeProvider timeProvider, IMeterFactory? meterFactory)
    {
        _meterFactory = meterFactory;
        _clock = new ProcessorClock(timeProvider);
        _engineOptions = engineOptions;
        _options = options;
        _logger = logger;
        _inputs = options.Topics.Inputs;
        _raw = new RawValueDeserializer(options.MaxMessageBytes);
    }

    /// <summary>Creates a processor; nothing connects until <see cref="Run"/> or <see cref="RunAsync"/>.</summary>
    /// <param name="engineOptions">Engine settings (every partition's engine uses them); validated here.</param>
    /// <param name="options">Kafka settings; validated here.</param>
    /// <param name="logger">Logger; none when null.</param>
    /// <param name="timeProvider">The clock for every interval, deadline and pause (commit and snapshot cadence, idle
    /// and restore timeouts, retry back-off); <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="meterFactory">Where the processor's instruments (<c>priceintel.kafka.*</c> on the <c>PriceIntel</c> meter)
    /// come from while it runs; a meter of its own when null.</param>
    /// <exception cref="ArgumentNullException">An options argument is null.</exception>
    /// <exception cref="ArgumentException">The options are inconsistent; the message names them. This includes
    /// <see cref="KafkaOptions.MaxEnvelopeSpan"/> above the engine's <c>Windows:AllowedLatenessSeconds</c> when
    /// <see cref="KafkaOptions.EventsPerMessage"/> is above 1: envelopes that long would make events late.</exception>
    public static KafkaMarketProcessor Create(PriceIntelOptions engineOptions, KafkaOptions options, ILogger? logger = null, TimeProvider? timeProvider = null, IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(engineOptions);
        ArgumentNullException.ThrowIfNull(options);
        engineOptions.Validate();
        options.Validate();
        RequireEnvelopeSpanWithinLateness(engineOptions, options);
        return new KafkaMarketProcessor(engineOptions, options, logger ?? NullLogger.Instance, timeProvider ?? TimeProvider.System, meterFactory);
    }

    /// <summary>
    /// Refuses an envelope span longer than the engine's allowed lateness when publishers pack more than one event
    /// per message: the merge could then put an input more than the lateness behind the watermark (see
    /// <see cref="KafkaOptions.MaxEnvelopeSpan"/>).
    /// </summary>
    /// <exception cref="ArgumentException">The span exceeds the lateness; the message names both options and values.</exception>
    internal static void RequireEnvelopeSpanWithinLateness(PriceIntelOptions engineOptions, KafkaOptions options)
    {
        long spanMs = (long)options.MaxEnvelopeSpan.TotalMilliseconds;
        long latenessMs = engineOptions.Windows.AllowedLatenessMs;
        if (options.EventsPerMessage > 1 && spanMs > latenessMs)
        {
            throw new ArgumentException(string.Create(
                CultureInfo.InvariantCulture,
                $"Kafka:MaxEnvelopeSpan ({options.MaxEnvelopeSpan}) is longer than Windows:AllowedLatenessSeconds ({engineOptions.Windows.AllowedLatenessSeconds} s) while Kafka:EventsPerMessage is {options.EventsPerMessage}: the merge could put events of one input more than the allowed lateness behind another's, and they would be dead-lettered as late. Set Kafka:MaxEnvelopeSpan to at most the allowed lateness."));
        }
    }

    /// <summary>Running totals; safe to read from any thread.</summary>
    public KafkaProcessorCounters Counters => _counters.Read(_assigned);

    /// <summary>
    /// True when the processor owns partitions, has read every one of their inputs to the end, and has
    /// processed, delivered and committed everything (refreshed every few milliseconds by the run loop).
    /// </summary>
    public bool IsCaughtUp => _caughtUp;

    /// <summary>Late and misrouted events per partition (partitions that had any), since the processor started; safe to read from any thread.</summary>
    public IReadOnlyList<KafkaPartitionCounters> PartitionCounters => _counters.ReadPartitions();

    /// <summary>The newest error reported (delivery, commit, client, engine, rebalance), or null.</summary>
    public string? LastError => _counters.LastError;

    /// <summary>
    /// The newest output delivery failure (topic and reason, e.g. "delivery to 'market-signals' failed
    /// (Local_MsgTimedOut: …)"), or null; unlike <see cref="LastError"/> not overwritten by the client's
    /// connection errors that come with the same outage.
    /// </summary>
    public string? LastDeliveryError => _counters.LastDeliveryError;

    /// <summary>The newest offset-commit failure, or null (see <see cref="LastDeliveryError"/>).</summary>
    public string? LastCommitError => _counters.LastCommitError;

    /// <summary>Diagnostics: one line per owned partition (queues, offsets, ledger), refreshed by the run loop.</summary>
    internal string Description { get; private set; } = "";

    /// <summary>Tests: called on the consume thread with (partition, owned) when ownership starts (after restore) and ends.</summary>
    internal Action<int, bool>? OwnershipChanged { get; set; }

    /// <summary>Tests: called on the consume thread after each processed batch (e.g. to slow a processor down).</summary>
    internal Action<int, int>? BatchProcessed { get; set; }

    /// <summary>Runs the processor on a dedicated thread until <paramref name="cancellationToken"/> is cancelled.</summary>
    /// <returns>A task that completes after a clean stop (outputs flushed, offsets committed, state written, group left).</returns>
    /// <exception cref="InvalidOperationException">Topics are missing or their partition counts do not match (thrown by the task).</exception>
    public Task RunAsync(CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                Run(cancellationToken);
                done.SetResult();
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        })
        {
            IsBackground = true,
            Name = "PriceIntel Kafka processor",
        };
        thread.Start();
        return done.Task;
    }

    /// <summary>Runs the processor on the calling thread until <paramref name="cancellationToken"/> is cancelled.</summary>
    /// <exception cref="InvalidOperationException">Topics are missing or their partition counts do not match, the processor
    /// already ran, or the producer failed fatally (nothing after the last commit is lost: the next owner replays it).</exception>
    public void Run(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _running, 1) != 0)
        {
            throw new InvalidOperationException("A KafkaMarketProcessor runs once; create another one to run again.");
        }

        using var metrics = new ProcessorMetrics(_counters, () => _assigned, _options.GroupId, _meterFactory);
        using var producer = new OutputProducer(_options, e => _counters.Error(e), OnClientLog);
        using var engineThread = _options.EngineThread ? new EngineThread() : null;
        _engineThread = engineThread;
        using var restore = new PartitionRestore(_options, _clock, _counters, _logger);
        _producer = producer;
        _restore = restore;
        _handOver = new PartitionHandOver(_options, _clock, _counters, _logger);
        var config = new ConsumerConfig(KafkaClientConfig.Build(_options, "consumer"))
        {
            GroupId = _options.GroupId,
            // Offsets are stored only once the outputs of everything before them are acknowledged; the
            // client commits stored offsets in the background, so the consume thread never waits on it.
            EnableAutoCommit = true,
            AutoCommitIntervalMs = (int)Math.Max(10, _options.CommitInterval.TotalMilliseconds),
            EnableAutoOffsetStore = false,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnablePartitionEof = true,
            PartitionAssignmentStrategy = PartitionAssignmentStrategy.Range,
            IsolationLevel = IsolationLevel.ReadCommitted,

            // The processor reads topic, partition, offset and value: Confluent.Kafka then skips marshalling each
            // message's headers and timestamp (a list and two native calls per message).
            ConsumeResultFields = "topic",
        };
        if (!_options.Client.Keys.Any(k => string.Equals(k, "fetch.queue.backoff.ms", StringComparison.OrdinalIgnoreCase)))
        {
            // librdkafka's default (1 s) idles a consumer that runs ahead of its fetch thresholds for a whole
            // second; the processor drains its queue steadily, so it asks again soon.
            config.Set("fetch.queue.backoff.ms", "10");
        }

        using var consumer = new ConsumerBuilder<Ignore, RawValue>(config)
            .SetValueDeserializer(_raw)
            .SetPartitionsAssignedHandler(OnAssigned)
            .SetPartitionsRevokedHandler(OnRevoked)
            .SetPartitionsLostHandler(OnLost)
            .SetOffsetsCommittedHandler(OnCommitted)
            .SetErrorHandler((_, e) => OnClientError(e))
            .SetLogHandler((_, m) => OnClientLog(m))
            .Build();
        _consumer = consumer;
        consumer.Subscribe(_inputs);
        try
        {
            // The group join goes on in the client's background while the topics are checked (each takes
            // ~0.05-0.1 s); nothing is consumed, so nothing assigned is processed, before the check passes.
            _inputPartitions = TopicCheck.Run(producer.Producer.Handle, _options, _clock);
            Log.Started(_logger, _options.GroupId, string.Join(", ", _inputs));
            Loop(consumer, producer, cancellationToken);
        }
        finally
        {
            RetireAll();
            try
            {
                consumer.Close();
            }
            catch (KafkaException e)
            {
                Log.CloseFailed(_logger, e.Error.Reason);
            }

            _consumer = null;
            _caughtUp = false;
        }
    }

    /// <summary>Nothing to release beyond what <see cref="Run"/> releases when it returns.</summary>
    public void Dispose()
    {
    }

    private void Loop(IConsumer<Ignore, RawValue> consumer, OutputProducer producer, CancellationToken ct)
    {
        long nextTick = 0;
        int pauseAbove = Math.Max(4 * _options.BatchSize, 16_384);
        while (!ct.IsCancellationRequested)
        {
            ConsumeResult<Ignore, RawValue>? result;
            try
            {
                result = consumer.Consume(TimeSpan.FromMilliseconds(10));
            }
            catch (ConsumeException e)
            {
                _counters.Error($"consume: {e.Error.Code}: {e.Error.Reason}");
                Log.ConsumeError(_logger, e.Error.Code.ToString(), e.Error.Reason);
                continue;
            }

            if (Interlocked.Exchange(ref _handlerFailure, null) is { } handlerFailure)
            {
                // A rebalance callback failed (e.g. the state could not be restored within RestoreTimeout): the
                // partitions it was handling are not processed, so the processor stops and says why.
                handlerFailure.Throw();
            }

            if (_resumeAfterAssign is { } assignedNow)
            {
                _resumeAfterAssign = null;
                try
                {
                    consumer.Resume(assignedNow);
                }
                catch (KafkaException e)
                {
                    Log.ConsumerCallFailed(_logger, "Resume", "the new assignment", e.Error.Reason);
                }
            }

            if (producer.FatalError is { } fatal)
            {
                // Nothing can be delivered any more: hand the partitions back uncommitted and stop, so the
                // host restarts the processor (a new producer) and the next owner replays.
                _tasks.Clear();
                _assigned = 0;
                throw new InvalidOperationException($"The Kafka producer failed fatally ({fatal}); the processor stopped without committing. Restart it.");
            }

            long now = _clock.NowMs;
            if (result is not null && TryTask(result.Topic, result.Partition.Value, out var task, out int topicIndex))
            {
                var queue = task.Inputs[topicIndex]!;
                if (result.IsPartitionEOF)
                {
                    queue.AtEnd = true;
                }
                else
                {
                    var raw = result.Message.Value;
                    task.Accept(topicIndex, result.Offset.Value, _raw.Bytes(raw), raw.OriginalLength, _raw.OversizedSha256);
                    if (queue.BufferedEvents > pauseAbove && !queue.Paused)
                    {
                        consumer.Pause([result.TopicPartition]);
                        queue.Paused = true;
                    }

                    if (queue.BufferedEvents >= _options.BatchSize)
                    {
                        task.Pump(producer, now, flush: false); // a full batch's worth: merge now, not at the tick
                    }
                }
            }

            if (result is null || now >= nextTick)
            {
                Tick(consumer, producer, now, pauseAbove);
                nextTick = now + 5;

                // Acknowledged offsets go to the client at once (a call per partition that advanced); its
                // background commit takes them at the next CommitInterval.
                StoreOffsets(consumer);
            }
        }
    }

    private void Tick(IConsumer<Ignore, RawValue> consumer, OutputProducer producer, long now, int pauseAbove)
    {
        bool caughtUp = _tasks.Count > 0;
        ThrowIfEngineFailed();
        foreach (var task in _tasks.Values)
        {
            task.Pump(producer, now, flush: true);
            task.Settle(producer);
            if (task.Failure is not null)
            {
                RewindTask(consumer, task, now);
                caughtUp = false;
                continue;
            }

            task.SnapshotIfDue(now, force: false);
            task.Settle(producer);
            foreach (var queue in task.Inputs)
            {
                if (queue is null)
                {
                    continue;
                }

                if (queue.Count == 0 && !queue.AtEnd)
                {
                    // The watermarks the last fetch reported (no broker request): is there more to wait for?
                    var marks = consumer.GetWatermarkOffsets(queue.TopicPartition);
                    if (marks.High != Offset.Unset)
                    {
                        queue.HighWatermark = marks.High.Value;
                        queue.LowWatermark = marks.Low.Value;
                    }
                }

                if (queue.Paused && queue.BufferedEvents < pauseAbove / 2)
                {
                    consumer.Resume([queue.TopicPartition]);
                    queue.Paused = false;
                }
            }

            caughtUp &= task.IsCaughtUp;
        }

        _caughtUp = caughtUp;
        if (now >= _nextDescription)
        {
            Description = string.Join(Environment.NewLine, _tasks.Values.Select(t => t.Describe()));
            _nextDescription = now + 1000;
        }
    }

    // Checked every tick: a batch that threw stops the processor at once (the partition's engine is in an unknown
    // state, so nothing of it is snapshotted or committed; the other partitions are handed over cleanly).
    private void ThrowIfEngineFailed()
    {
        foreach (var task in _tasks.Values)
        {
            if (task.EngineFailure is { } failure)
            {
                _tasks.Remove(task.Partition);
                _assigned = _tasks.Count;
                string error = $"The engine of partition {task.Partition} failed ({failure.GetType().Name}: {failure.Message}); the processor stopped without committing that partition (its next owner replays it). Restart the processor once the cause is fixed.";
                _counters.Error(error);
                Log.EngineFailed(_logger, task.Partition, failure);
                throw new InvalidOperationException(error, failure);
            }
        }

        _engineThread?.ThrowIfFailed();
    }

    private void RewindTask(IConsumer<Ignore, RawValue> consumer, PartitionTask task, long now)
    {
        string error = task.Failure!;
        long[] next = task.Rewind();
        _counters.Rewound();
        task.ResumeAt = now + 1000;
        Log.Rewound(_logger, task.Partition, error, FormatNext(next));
        for (int i = 0; i < _inputs.Count; i++)
        {
            var queue = task.Inputs[i];
            if (queue is null)
            {
                continue;
            }

            var tp = queue.TopicPartition;
            if (queue.Paused)
            {
                consumer.Resume([tp]);
                queue.Paused = false;
            }

            try
            {
                consumer.Seek(new TopicPartitionOffset(tp, next[i] >= 0 ? new Offset(next[i]) : Offset.Beginning));
            }
            catch (KafkaException e)
            {
                // The partition is being revoked or the consumer is closing; the next owner restores it.
                Log.ConsumerCallFailed(_logger, "Seek", tp.ToString(), e.Error.Reason);
            }
        }
    }

    private void StoreOffsets(IConsumer<Ignore, RawValue> consumer)
    {
        foreach (var task in _tasks.Values)
        {
            if (task.StoreCandidates() is not { } offsets)
            {
                continue;
            }

            foreach (var tpo in offsets)
            {
                try
                {
                    consumer.StoreOffset(tpo);
                }
                catch (KafkaException e)
                {
                    // The partition is no longer assigned (a rebalance is under way); its next owner replays.
                    Log.ConsumerCallFailed(_logger, "Storing the offset", tpo.TopicPartition.ToString(), e.Error.Reason);
                }
            }
        }
    }

    // The consumer's background (and hand-over) commits report here, on the consume thread.
    private void OnCommitted(IConsumer<Ignore, RawValue> consumer, CommittedOffsets committed)
    {
        if (committed.Error.IsError && committed.Error.Code != ErrorCode.Local_NoOffset)
        {
            _counters.CommitFailed($"commit: {committed.Error.Code}: {committed.Error.Reason}");
            Log.CommitFailed(_logger, committed.Error.Code.ToString(), committed.Error.Reason);
            return;
        }

        List<TopicPartitionOffset>? done = null;
        foreach (var tpo in committed.Offsets)
        {
            if (tpo.Error.IsError)
            {
                _counters.CommitFailed($"commit of {tpo.TopicPartition}: {tpo.Error.Code}: {tpo.Error.Reason}");
                Log.CommitFailed(_logger, tpo.Error.Code.ToString(), tpo.Error.Reason);
            }
            else if (tpo.Offset.Value >= 0)
            {
                (done ??= []).Add(new TopicPartitionOffset(tpo.TopicPartition, tpo.Offset));
            }
        }

        if (done is null)
        {
            return;
        }

        foreach (var task in _tasks.Values)
        {
            task.Committed(done);
        }

        _counters.CommitSucceeded();
    }

    // Rebalance callbacks run inside Consume on the consume thread. What they throw is kept and rethrown by the
    // loop right after Consume returns, so the processor stops with the reason instead of going on without the
    // partitions (a restore that timed out, say).
    private IEnumerable<TopicPartitionOffset> OnAssigned(IConsumer<Ignore, RawValue> consumer, List<TopicPartition> partitions)
    {
        try
        {
            return Assign(consumer, partitions);
        }
        catch (Exception e)
        {
            foreach (int p in partitions.Select(tp => tp.Partition.Value).Distinct())
            {
                _tasks.Remove(p); // nothing of them ran: no hand-over
            }

            _assigned = _tasks.Count;
            var error = new InvalidOperationException($"Taking over partitions {string.Join(", ", partitions.Select(tp => tp.Partition.Value).Distinct().Order())} failed ({e.Message}); the processor stopped without processing them.", e);
            _counters.Error(error.Message);
            Log.HandlerFailed(_logger, "assignment", e);
            Interlocked.CompareExchange(ref _handlerFailure, ExceptionDispatchInfo.Capture(error), null);
            return [];
        }
    }

    private List<TopicPartitionOffset> Assign(IConsumer<Ignore, RawValue> consumer, List<TopicPartition> partitions)
    {
        var points = _restore!.Read(consumer, partitions);
        var starts = new List<TopicPartitionOffset>(partitions.Count);
        foreach (var group in partitions.GroupBy(tp => tp.Partition.Value).OrderBy(g => g.Key))
        {
            int p = group.Key;
            var assigned = new bool[_inputs.Count];
            foreach (var tp in group)
            {
                assigned[TopicIndex(tp.Topic)] = true;
            }

            var (snapshot, committedHere) = points[p];
            var task = new PartitionTask(p, _inputs, assigned, _engineOptions, _options, _counters, OnDeliveryFailure, _logger, _engineThread, _inputPartitions, _clock);
            long[] next = task.Restore(snapshot, committedHere);
            task.BatchProcessed = BatchProcessed;
            _tasks[p] = task;
            OwnershipChanged?.Invoke(p, true);
            _counters.Restored();
            Log.Assigned(_logger, p, snapshot is null ? "none" : $"{snapshot.Length} bytes at {FormatNext(next)}", string.Join(", ", committedHere.Select(kv => $"{kv.Key}={kv.Value}")));
            foreach (var tp in group)
            {
                long start = next[TopicIndex(tp.Topic)];
                starts.Add(new TopicPartitionOffset(tp, start >= 0 ? new Offset(start) : Offset.Beginning));
            }
        }

        _assigned = _tasks.Count;
        _resumeAfterAssign = partitions; // a partition paused under an earlier owner stays paused in the client
        return starts;
    }

    private void OnRevoked(IConsumer<Ignore, RawValue> consumer, List<TopicPartitionOffset> partitions)
    {
        var numbers = partitions.Select(tp => tp.Partition.Value).Distinct().ToList();
        foreach (int p in numbers)
        {
            if (_tasks.Remove(p, out var task))
            {
                try
                {
                    _handOver!.Retire(consumer, _producer!, task);
                }
                catch (Exception e)
                {
                    var error = new InvalidOperationException($"Handing over partition {p} failed ({e.Message}); the processor stopped (the next owner replays from the last commit).", e);
                    _counters.Error(error.Message);
                    Log.HandlerFailed(_logger, "revocation", e);
                    Interlocked.CompareExchange(ref _handlerFailure, ExceptionDispatchInfo.Capture(error), null);
                }

                OwnershipChanged?.Invoke(p, false);
            }
        }

        _assigned = _tasks.Count;
        _caughtUp = false;
    }

    private void OnLost(IConsumer<Ignore, RawValue> consumer, List<TopicPartitionOffset> partitions)
    {
        foreach (int p in partitions.Select(tp => tp.Partition.Value).Distinct())
        {
            if (_tasks.Remove(p, out var task))
            {
                task.WaitIdle(); // nothing of it runs once it is gone
                Log.Lost(_logger, p);
                OwnershipChanged?.Invoke(p, false);
            }
        }

        _assigned = _tasks.Count;
        _caughtUp = false;
    }

    // On the producer's delivery thread, at the first failure of a ledger entry.
    private void OnDeliveryFailure(string error) => _counters.DeliveryFailed(error);

    private void RetireAll()
    {
        if (_consumer is null)
        {
            return;
        }

        foreach (var task in _tasks.Values.ToList())
        {
            _handOver!.Retire(_consumer, _producer!, task);
            OwnershipChanged?.Invoke(task.Partition, false);
        }

        _tasks.Clear();
        _assigned = 0;
    }

    private bool TryTask(string topic, int partition, out PartitionTask task, out int topicIndex)
    {
        topicIndex = TopicIndex(topic);
        return _tasks.TryGetValue(partition, out task!) && topicIndex >= 0 && task.Inputs[topicIndex] is not null;
    }

    private int TopicIndex(string topic)
    {
        for (int i = 0; i < _inputs.Count; i++)
        {
            if (string.Equals(_inputs[i], topic, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    private string FormatNext(long[] next) =>
        string.Join(", ", _inputs.Select((t, i) => $"{t}={(next[i] >= 0 ? next[i].ToString(System.Globalization.CultureInfo.InvariantCulture) : "beginning")}"));

    private void OnClientError(Error e)
    {
        _counters.Error($"client: {e.Code}: {e.Reason}");
        if (e.IsFatal)
        {
            Log.FatalClientError(_logger, e.Code.ToString(), e.Reason);
        }
        else
        {
            Log.ClientError(_logger, e.Code.ToString(), e.Reason);
        }
    }

    // librdkafka logs warnings on its own and debug lines only for the contexts named by the "debug"
    // property (Kafka:Client:debug), so whatever it logs was asked for: all of it goes to the logger.
    private void OnClientLog(LogMessage m) => Log.ClientLog(_logger, m.Facility, m.Message);
}
