// Shared source: compiled into the Engine (MarketPipeline) and the Kafka adapter (KafkaEventPublisher) through a
// Compile Include in their project files, so they count and log rejections the same way without InternalsVisibleTo.
using Microsoft.Extensions.Logging;

namespace PriceIntel.Shared;

// <summary>
// Counts rejected inputs, logs the first few of them with their reasons, and passes every one on to
// the user's sink (a dead-letter file or topic) so nothing is silently lost.
// </summary>
internal sealed partial class RejectionCounter(IRejectionSink? inner, ILogger logger) : IRejectionSink
{
    private const int LoggedInFull = 20;
    private long _count;

    public long Count => Interlocked.Read(ref _count);

    public void Reject(RejectedInput rejected)
    {
        var n = Interlocked.Increment(ref _count);
        if (n <= LoggedInFull)
        {
            LogRejected(rejected.Source, rejected.Position, rejected.Reason);
        }
        else if (n == LoggedInFull + 1)
        {
            LogMore(LoggedInFull);
        }

        inner?.Reject(rejected);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rejected input from {Source} at {Position}: {Reason}")]
    private partial void LogRejected(string source, long position, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "More than {Count} inputs rejected; further rejections are counted (priceintel.events.rejected) and kept by the rejection sink but not logged")]
    private partial void LogMore(int count);
}
