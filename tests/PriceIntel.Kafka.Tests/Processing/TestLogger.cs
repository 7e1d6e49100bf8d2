using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace PriceIntel.Kafka.Tests.Processing;

/// <summary>
/// Writes log lines at Information and above to the test output (ignoring writes after the test ended);
/// with <see cref="DebugVariable"/> set, also Debug lines, librdkafka's among them.
/// </summary>
internal sealed class TestLogger(ITestOutputHelper output) : ILogger
{
    /// <summary>
    /// Names librdkafka debug contexts (e.g. <c>msg,eos</c>) for the processors under test: their client
    /// lines then go to the test output. For diagnosing a failing test; off by default.
    /// </summary>
    public const string DebugVariable = "PRICEINTEL_TEST_KAFKA_DEBUG";

    private static readonly LogLevel Threshold = Environment.GetEnvironmentVariable(DebugVariable) is { Length: > 0 } ? LogLevel.Debug : LogLevel.Information;

    private readonly DateTime _start = DateTime.UtcNow;

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= Threshold;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel))
        {
            return;
        }

        try
        {
            output.WriteLine($"[{(DateTime.UtcNow - _start).TotalSeconds,7:F2}s] {logLevel}: {formatter(state, exception)}");
        }
        catch (InvalidOperationException)
        {
            // The test has ended; client threads may still log.
        }
    }
}
