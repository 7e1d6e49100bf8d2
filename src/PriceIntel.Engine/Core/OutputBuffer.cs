using System.Runtime.CompilerServices;

namespace PriceIntel.Engine.Core;

/// <summary>
/// Where the engine writes the signals and decisions of one batch. Arrays are kept between batches
/// and only grow (rarely, on a non-inlined path), so steady-state appends allocate nothing.
/// </summary>
internal sealed class OutputBuffer
{
    private MarketSignal[] _signals;
    private PricingDecision[] _decisions;

    public OutputBuffer(int initialCapacity = 1024)
    {
        _signals = new MarketSignal[initialCapacity];
        _decisions = new PricingDecision[initialCapacity];
    }

    public int SignalCount { get; private set; }

    public int DecisionCount { get; private set; }

    public ReadOnlySpan<MarketSignal> Signals => _signals.AsSpan(0, SignalCount);

    public ReadOnlySpan<PricingDecision> Decisions => _decisions.AsSpan(0, DecisionCount);

    public ReadOnlyMemory<MarketSignal> SignalMemory => _signals.AsMemory(0, SignalCount);

    public ReadOnlyMemory<PricingDecision> DecisionMemory => _decisions.AsMemory(0, DecisionCount);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(in MarketSignal signal)
    {
        if (SignalCount == _signals.Length)
        {
            GrowSignals();
        }

        _signals[SignalCount++] = signal;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(in PricingDecision decision)
    {
        if (DecisionCount == _decisions.Length)
        {
            GrowDecisions();
        }

        _decisions[DecisionCount++] = decision;
    }

    public void Clear()
    {
        SignalCount = 0;
        DecisionCount = 0;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void GrowSignals() => Array.Resize(ref _signals, _signals.Length * 2);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void GrowDecisions() => Array.Resize(ref _decisions, _decisions.Length * 2);
}
