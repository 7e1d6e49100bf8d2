using Confluent.Kafka;

namespace PriceIntel.AspNetCore.Kafka;

/// <summary>
/// Decodes output messages (signals and decisions in the engine's output JSON) into a batch for the store or the
/// live feed. One per consumer thread; not thread-safe.
/// </summary>
internal sealed class KafkaOutputReader
{
    private readonly MarketKeys _keys = new();
    private readonly List<MarketSignal> _signals = new(2048);
    private readonly List<PricingDecision> _decisions = new(2048);

    /// <summary>Outputs handed on in one batch at most (to the store or the live feed).</summary>
    public const int MaxBatch = 2048;

    private static readonly TimeSpan OpenBatchPoll = TimeSpan.FromMilliseconds(5);
    private static readonly TimeSpan IdlePoll = TimeSpan.FromMilliseconds(200);

    /// <summary>Outputs read and not yet taken.</summary>
    public int Count => _signals.Count + _decisions.Count;

    /// <summary>True when the batch is full (<see cref="MaxBatch"/>) and should be handed on before reading more.</summary>
    public bool IsFull => Count >= MaxBatch;

    /// <summary>How long the next consume may wait: briefly while outputs are buffered, so a batch is handed on soon after the topics go quiet.</summary>
    public TimeSpan PollTimeout => Count > 0 ? OpenBatchPoll : IdlePoll;

    /// <summary>Reads one message into the batch; false (and why) when it is not a signal or decision this API can read.</summary>
    public bool TryRead(ConsumeResult<Ignore, byte[]> result, out string error)
    {
        var value = result.Message.Value;
        StoredSignal? signal = null;
        StoredDecision? decision = null;
        string? reason = "empty message";
        if (value is null || !MarketOutputJsonDecoder.TryDecode(TrimLine(value), out signal, out decision, out reason))
        {
            error = reason ?? "unreadable";
            return false;
        }

        if (signal is not null)
        {
            _signals.Add(new MarketSignal(
                signal.Id,
                signal.Kind,
                signal.Severity,
                _keys.Products.Intern(signal.Product),
                signal.Competitor is null ? -1 : _keys.Competitors.Intern(signal.Competitor),
                signal.Observed,
                signal.Reference,
                signal.Threshold,
                signal.Magnitude,
                signal.Time.ToUnixTimeMilliseconds()));
        }
        else if (decision is not null && CurrencyCode.TryParse(decision.Currency, out var currency))
        {
            _decisions.Add(new PricingDecision(
                decision.Id,
                _keys.Products.Intern(decision.Product),
                Money.FromDecimal(decision.OldPrice),
                Money.FromDecimal(decision.NewPrice),
                Money.FromDecimal(decision.TargetPrice),
                currency,
                decision.Strategy,
                (byte)decision.Arm,
                decision.Trigger,
                decision.SetBy,
                decision.Bounded,
                decision.Time.ToUnixTimeMilliseconds()));
        }
        else
        {
            error = "unknown currency";
            return false;
        }

        error = "";
        return true;
    }

    /// <summary>The outputs read so far as one batch (copied); the reader starts empty again.</summary>
    public OutputBatch TakeBatch()
    {
        var batch = new OutputBatch(_signals.ToArray(), _decisions.ToArray(), _keys);
        _signals.Clear();
        _decisions.Clear();
        return batch;
    }

    private static ReadOnlySpan<byte> TrimLine(byte[] value)
    {
        var span = value.AsSpan();
        while (span.Length > 0 && (span[^1] == (byte)'\n' || span[^1] == (byte)'\r'))
        {
            span = span[..^1];
        }

        return span;
    }
}
