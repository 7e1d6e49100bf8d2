using System.Globalization;
using System.Runtime.CompilerServices;
using PriceIntel.Engine.Simulation;

namespace PriceIntel;

/// <summary>
/// A deterministic simulated market as an event source: products with base prices, costs and stock;
/// competitors that reprice (promotions, undercutting, drift, static) and are scraped with occasional
/// errors; shoppers whose views, add-to-carts and purchases respond to our price against the lowest
/// in-stock competitor price, with daily seasonality and viral spikes. The same seed and options give
/// the same event stream, in event-time order, with no wall clock involved.
/// </summary>
/// <remarks>
/// <para>The market is generated in ticks of event time (<see cref="MarketSimulatorOptions.Tick"/>).
/// In <see cref="SimulatorFeedbackMode.Lagged"/> mode our price comes from the host's pricing
/// decisions. Host loop:</para>
/// <code>
/// var n = await simulator.ReadAsync(buffer, rejections, ct);   // 0: finished
/// engine.Process(buffer[..n]);                                 // makes decisions
/// simulator.ApplyDecisions(decisions);                         // or the sink from CreateFeedbackSink()
/// simulator.AcknowledgeThrough(buffer.Span[n - 1].Timestamp);  // after the decisions were applied
/// </code>
/// <para>Generating tick k applies the decisions timed before tick k − L + 1 (L =
/// <see cref="MarketSimulatorOptions.FeedbackLagTicks"/>) and first waits until the host has
/// acknowledged a timestamp at or after the start of tick k − L + 1 (or, when nothing was handed out
/// after tick k − L, the last event handed out). It never waits while it still holds events the host
/// has not been given, so a host that acknowledges each batch it processed cannot deadlock it, with
/// or without decisions. (A host that gathers events from several reads before processing them must
/// therefore not wait for a full batch.) A decision thus takes effect L ticks after its event time.</para>
/// <para>One reader at a time; <see cref="ApplyOurPrice"/>, <see cref="ApplyDecisions"/> and
/// <see cref="AcknowledgeThrough"/> may be called from any thread.</para>
/// </remarks>
public sealed class MarketSimulator : IMarketEventSource
{
    private readonly SimulatedMarket _market;
    private readonly TickEventBuffer _buffer;
    private readonly FeedbackGate? _gate;
    private readonly int _lagTicks;
    private int _nextTick;
    private long _lastGeneratedTimestamp = long.MinValue;
    private long _ignoredFeedback;
    private volatile bool _disposed;

    /// <summary>
    /// The ground truth of the market these options describe, without running it: every product's key,
    /// category and true price elasticity (<see cref="MarketSimulatorOptions.CategoryCount"/>,
    /// <see cref="MarketSimulatorOptions.CategoryElasticitySpread"/>, <see cref="MarketSimulatorOptions.ProductElasticitySpread"/>).
    /// For oracles and for checking what a model recovers.
    /// </summary>
    /// <param name="options">The simulator settings.</param>
    /// <returns>One entry per product, in product order.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    public static IReadOnlyList<SimulatedProduct> Catalog(MarketSimulatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return SimulatedCatalog.Describe(options);
    }

    /// <summary>Creates a simulator and interns its product, competitor and platform keys into <paramref name="keys"/>.</summary>
    /// <param name="options">Settings; copied, so later changes do not affect this simulator.</param>
    /// <param name="keys">The key tables the events' ids refer to.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">The options are inconsistent (see <see cref="MarketSimulatorOptions.Validate"/>), or there are more than 32 million (product, competitor) pairs.</exception>
    public MarketSimulator(MarketSimulatorOptions options, MarketKeys keys)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(keys);
        options = options.Clone();
        options.Validate();
        Options = options;
        _market = new SimulatedMarket(options, keys);
        _buffer = new TickEventBuffer(_market.TickMs);
        _lagTicks = options.FeedbackLagTicks;
        _gate = options.Feedback == SimulatorFeedbackMode.Lagged ? new FeedbackGate() : null;
        Keys = keys;
        Name = string.Create(CultureInfo.InvariantCulture, $"simulator(seed={options.Seed})");
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>A copy of the settings in force.</summary>
    public MarketSimulatorOptions Options { get; }

    /// <summary>The key tables the events' ids refer to.</summary>
    public MarketKeys Keys { get; }

    /// <summary>Event time of the first events, Unix milliseconds.</summary>
    public long StartTimestamp => _market.Start;

    /// <summary>Event time the simulation ends at (exclusive), Unix milliseconds.</summary>
    public long EndTimestamp => _market.End;

    /// <summary>
    /// Counts of what was generated so far. Exact when read on the reading thread or after the stream
    /// ended; while another thread reads, the figures may be from slightly different moments.
    /// </summary>
    public MarketSimulatorStatistics GetStatistics()
    {
        ref readonly var c = ref _market.Counters;
        return new MarketSimulatorStatistics(
            c.Ticks,
            c.Events,
            c.CompetitorPrices,
            c.ScrapeErrors,
            c.PromotionsStarted,
            c.Views,
            c.AddToCarts,
            c.Purchases,
            c.UnitsSold,
            c.LostSales,
            c.InventoryUpdates,
            c.Restocks,
            c.CostChanges,
            c.ViralSpikes,
            _gate?.Applied ?? 0,
            _gate?.Late ?? 0,
            Interlocked.Read(ref _ignoredFeedback) + (_gate?.Stale ?? 0));
    }

    /// <inheritdoc />
    /// <remarks>Never rejects input. In lagged feedback mode it may wait for <see cref="AcknowledgeThrough"/>, but only when it has nothing to return.</remarks>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is empty.</exception>
    /// <exception cref="ObjectDisposedException">The simulator was disposed.</exception>
    public ValueTask<int> ReadAsync(Memory<MarketEvent> destination, IRejectionSink rejections, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (destination.IsEmpty)
        {
            ThrowEmptyDestination();
        }

        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<int>(cancellationToken);
        }

        var written = Fill(destination.Span, out var required);
        return written > 0 || required == long.MinValue
            ? new ValueTask<int>(written)
            : WaitAndFillAsync(destination, required, cancellationToken);
    }

    /// <summary>
    /// Tells the simulator our new price for a product, decided at event time <paramref name="timestamp"/>.
    /// In lagged mode it takes effect when the tick L ticks after it is generated; in open loop it is ignored.
    /// Prices for products the simulator does not know are ignored. Thread-safe.
    /// </summary>
    /// <param name="productId">Product id in <see cref="Keys"/>.</param>
    /// <param name="price">Our new price.</param>
    /// <param name="timestamp">Event time of the decision, Unix milliseconds.</param>
    /// <exception cref="ArgumentOutOfRangeException">The price is not a valid price.</exception>
    public void ApplyOurPrice(int productId, Money price, long timestamp)
    {
        if (!price.IsValidPrice)
        {
            ThrowInvalidPrice(price);
        }

        var index = _market.IndexOf(productId);
        if (_gate is null || index < 0)
        {
            Interlocked.Increment(ref _ignoredFeedback);
            return;
        }

        _gate.Enqueue(index, price.Ticks, timestamp);
    }

    /// <summary>Applies the new price of every decision (see <see cref="ApplyOurPrice"/>). Thread-safe.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A decision's new price is not a valid price.</exception>
    public void ApplyDecisions(ReadOnlySpan<PricingDecision> decisions)
    {
        foreach (ref readonly var decision in decisions)
        {
            ApplyOurPrice(decision.ProductId, decision.NewPrice, decision.Timestamp);
        }
    }

    /// <summary>
    /// Tells the simulator the host has processed every event up to and including event time
    /// <paramref name="timestamp"/> and applied the resulting decisions: call it after each batch with
    /// the batch's last timestamp. Lower values than before are ignored. Thread-safe; a no-op in open loop.
    /// </summary>
    public void AcknowledgeThrough(long timestamp) => _gate?.Acknowledge(timestamp);

    /// <summary>
    /// An output sink that applies the new price of every decision written to it
    /// (<see cref="ApplyDecisions"/>); add it to the host's sinks. It does not acknowledge: the host
    /// still calls <see cref="AcknowledgeThrough"/> after the batch's outputs were written.
    /// </summary>
    public IMarketOutputSink CreateFeedbackSink() => new SimulatorFeedbackSink(this);

    /// <summary>Ends the stream; a reader waiting for an acknowledgement gets <see cref="ObjectDisposedException"/>.</summary>
    public ValueTask DisposeAsync()
    {
        _disposed = true;
        _gate?.Close();
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Copies ready events and generates ticks until the destination is full, the stream ends, or the
    /// next tick must wait; <paramref name="required"/> is then the acknowledgement to wait for
    /// (<see cref="long.MinValue"/> when there is nothing to wait for).
    /// </summary>
    private int Fill(Span<MarketEvent> destination, out long required)
    {
        required = long.MinValue;
        var written = 0;
        while (true)
        {
            written += _buffer.Read(destination[written..]);
            if (written == destination.Length || _nextTick >= _market.TickCount)
            {
                return written;
            }

            var tick = _nextTick;
            if (_gate is not null && tick >= _lagTicks)
            {
                // Every event before `boundary` belongs to ticks up to k − L and has been handed out.
                var boundary = _market.TickStart(tick - _lagTicks + 1);
                var needed = Math.Min(boundary, _lastGeneratedTimestamp);
                if (needed != long.MinValue && _gate.Acknowledged < needed)
                {
                    required = needed;
                    return written;
                }

                _gate.Drain(boundary, _market);
            }

            _nextTick = tick + 1;
            _market.GenerateTick(tick, _buffer);
            if (_buffer.Count > 0)
            {
                _lastGeneratedTimestamp = _buffer.LastTimestamp;
            }
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> WaitAndFillAsync(Memory<MarketEvent> destination, long required, CancellationToken cancellationToken)
    {
        while (true)
        {
            await _gate!.WaitFor(required).WaitAsync(cancellationToken).ConfigureAwait(false);
            ObjectDisposedException.ThrowIf(_disposed, this);
            var written = Fill(destination.Span, out required);
            if (written > 0 || required == long.MinValue)
            {
                return written;
            }
        }
    }

    private static void ThrowEmptyDestination() =>
        throw new ArgumentException("The destination must have room for at least one event.", "destination");

    private static void ThrowInvalidPrice(Money price) =>
        throw new ArgumentOutOfRangeException(nameof(price), price, "Our price must be above zero and at most Money.MaxPrice.");
}
