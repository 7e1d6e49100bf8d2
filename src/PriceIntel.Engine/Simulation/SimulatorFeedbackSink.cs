namespace PriceIntel.Engine.Simulation;

/// <summary>An output sink that hands every pricing decision's new price to the simulator; signals are ignored.</summary>
internal sealed class SimulatorFeedbackSink(MarketSimulator simulator) : IMarketOutputSink
{
    public ValueTask WriteAsync(OutputBatch batch, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        simulator.ApplyDecisions(batch.Decisions.Span);
        return ValueTask.CompletedTask;
    }

    public ValueTask FlushAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
