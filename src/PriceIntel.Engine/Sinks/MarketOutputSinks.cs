using PriceIntel.Engine.Codec;
using PriceIntel.Engine.Sinks;

namespace PriceIntel;

/// <summary>Creates the built-in output sinks: JSON Lines files and streams, and an in-memory collector.</summary>
public static class MarketOutputSinks
{
    /// <summary>Writes signals and decisions as JSON lines (docs/wire-format.md) to one file, buffered; flushing writes to disk.</summary>
    /// <param name="path">The file, created with its directory when missing.</param>
    /// <param name="append">Append to an existing file instead of replacing it.</param>
    /// <exception cref="ArgumentException">The path is empty.</exception>
    /// <exception cref="IOException">The file cannot be opened.</exception>
    public static IMarketOutputSink JsonLinesFile(string path, bool append = true) =>
        new JsonLinesOutputSink(new JsonLinesWriter(JsonLinesWriter.OpenAppend(path, append)));

    /// <summary>Writes signals to one JSON Lines file and decisions to another.</summary>
    /// <param name="signalsPath">File for signals.</param>
    /// <param name="decisionsPath">File for decisions (must differ from <paramref name="signalsPath"/>).</param>
    /// <param name="append">Append to existing files instead of replacing them.</param>
    /// <exception cref="ArgumentException">A path is empty, or both are the same.</exception>
    /// <exception cref="IOException">A file cannot be opened.</exception>
    public static IMarketOutputSink JsonLinesFiles(string signalsPath, string decisionsPath, bool append = true)
    {
        ArgumentException.ThrowIfNullOrEmpty(signalsPath);
        ArgumentException.ThrowIfNullOrEmpty(decisionsPath);
        if (string.Equals(Path.GetFullPath(signalsPath), Path.GetFullPath(decisionsPath), StringComparison.Ordinal))
        {
            throw new ArgumentException($"Signals and decisions need different files; both are '{signalsPath}'. Use JsonLinesFile for one file.", nameof(decisionsPath));
        }

        var signals = new JsonLinesWriter(JsonLinesWriter.OpenAppend(signalsPath, append));
        return new JsonLinesOutputSink(signals, new JsonLinesWriter(JsonLinesWriter.OpenAppend(decisionsPath, append)));
    }

    /// <summary>Writes signals and decisions as JSON lines to a stream (e.g. stdout).</summary>
    /// <param name="stream">Where lines go.</param>
    /// <param name="leaveOpen">Keep the stream open when the sink is disposed.</param>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is null.</exception>
    public static IMarketOutputSink JsonLines(Stream stream, bool leaveOpen = false) =>
        new JsonLinesOutputSink(new JsonLinesWriter(stream, leaveOpen));

    /// <summary>Collects outputs in memory (tests, hosts that display them).</summary>
    public static InMemoryOutputSink InMemory() => new();
}
