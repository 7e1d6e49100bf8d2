namespace PriceIntel;

/// <summary>What a pipeline run did, for reports and tests.</summary>
/// <param name="EventsIn">Events read from the source and processed by the engine.</param>
/// <param name="Rejected">Inputs the source rejected (undecodable or invalid) and set aside.</param>
/// <param name="Invalid">Events the engine refused (e.g. a non-positive price from a source that does not validate).</param>
/// <param name="Late">Events older than the allowed lateness: counted, not merged.</param>
/// <param name="Dropped">Events dropped because the buffer was full (only in <see cref="BufferFullMode.DropNewest"/>).</param>
/// <param name="Signals">Signals raised.</param>
/// <param name="Decisions">Pricing decisions made.</param>
/// <param name="Elapsed">Wall time of the run.</param>
/// <param name="Cancelled">True when the run stopped because it was cancelled rather than because the source ended.</param>
public sealed record PipelineSummary(
    long EventsIn,
    long Rejected,
    long Invalid,
    long Late,
    long Dropped,
    long Signals,
    long Decisions,
    TimeSpan Elapsed,
    bool Cancelled)
{
    /// <summary>Events processed per second of wall time.</summary>
    public double EventsPerSecond => Elapsed.TotalSeconds > 0 ? EventsIn / Elapsed.TotalSeconds : 0;
}

/// <summary>Called by the pipeline on its engine thread after each batch (e.g. to drive a feedback loop or a live view).</summary>
public interface IPipelineObserver
{
    /// <summary>A batch was processed and its outputs written to every sink.</summary>
    /// <param name="eventCount">Events in the batch.</param>
    /// <param name="lastEventTimestamp">Event time of the batch's last event, Unix ms.</param>
    /// <param name="outputs">The batch's outputs; valid only during the call.</param>
    void OnBatchProcessed(int eventCount, long lastEventTimestamp, in OutputBatch outputs);
}
