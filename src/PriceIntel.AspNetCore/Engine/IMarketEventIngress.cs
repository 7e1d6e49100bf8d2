namespace PriceIntel.AspNetCore.Engine;

/// <summary>
/// Where the ingest endpoints (and manual prices) send events: the in-process engine
/// (<see cref="EngineHost"/>) or, in the Kafka mode, the input topics that the
/// <c>KafkaMarketProcessor</c> processes read (<see cref="Kafka.KafkaEventIngress"/>).
/// </summary>
internal interface IMarketEventIngress
{
    /// <summary>The key tables the events' ids refer to.</summary>
    MarketKeys Keys { get; }

    /// <summary>
    /// Hands a batch on. The ingress owns <paramref name="events"/> (rented from
    /// <see cref="System.Buffers.ArrayPool{T}.Shared"/>) from here and returns it.
    /// </summary>
    /// <param name="events">A rented array.</param>
    /// <param name="count">Events in it.</param>
    /// <param name="waitForProcessing">True: complete once the batch was processed (in-process) or delivered to the brokers (Kafka).</param>
    /// <param name="cancellationToken">Stops the wait.</param>
    /// <param name="recordHistory">In-process only: also append its competitor and list prices to the store's history.</param>
    ValueTask PostAsync(MarketEvent[] events, int count, bool waitForProcessing, CancellationToken cancellationToken, bool recordHistory = true);

    /// <summary>Waits until everything posted so far was processed (in-process) or delivered (Kafka).</summary>
    Task DrainAsync(CancellationToken cancellationToken);
}

/// <summary>The engine's state is not in this process (Kafka mode): live boards and experiment tallies cannot be read here.</summary>
internal sealed class EngineNotLocalException()
    : InvalidOperationException("The engine runs in the Kafka processors in this deployment; its live state (boards, experiment tallies) is not held by the API.");
