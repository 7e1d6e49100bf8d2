using PriceIntel.Engine.Codec;
using PriceIntel.Engine.Sources;

namespace PriceIntel;

/// <summary>Creates the built-in event sources: JSON Lines files and streams, in-memory events, recording.</summary>
public static class MarketEventSources
{
    /// <summary>The longest input line accepted by default: 64 KiB. Longer lines are rejected.</summary>
    public const int DefaultMaxLineBytes = JsonLineSplitter.DefaultMaxLineBytes;

    /// <summary>
    /// Replays a JSON Lines file (docs/wire-format.md). Bad lines go to the rejection sink with the
    /// file path, line number and reason; reading goes on after them.
    /// </summary>
    /// <param name="path">The file; its path is the source name.</param>
    /// <param name="keys">The key tables to intern product, competitor and platform keys into.</param>
    /// <param name="maxLineBytes">Longest line accepted, in bytes (at least 16).</param>
    /// <exception cref="ArgumentException">The path is empty.</exception>
    /// <exception cref="ArgumentNullException">A parameter is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxLineBytes"/> is below 16.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static IMarketEventSource JsonLinesFile(string path, MarketKeys keys, int maxLineBytes = DefaultMaxLineBytes)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(keys);
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 1, FileOptions.Asynchronous | FileOptions.SequentialScan);
        return new JsonLinesEventSource(stream, path, keys, maxLineBytes, leaveOpen: false);
    }

    /// <summary>Reads JSON Lines events from a stream: stdin, an HTTP request body, a socket.</summary>
    /// <param name="stream">The stream to read to its end.</param>
    /// <param name="keys">The key tables to intern keys into.</param>
    /// <param name="name">Source name for counters and rejection records (e.g. "stdin").</param>
    /// <param name="leaveOpen">Keep the stream open when the source is disposed.</param>
    /// <param name="maxLineBytes">Longest line accepted, in bytes (at least 16).</param>
    /// <exception cref="ArgumentException">The name is empty.</exception>
    /// <exception cref="ArgumentNullException">A parameter is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxLineBytes"/> is below 16.</exception>
    public static IMarketEventSource JsonLines(Stream stream, MarketKeys keys, string name, bool leaveOpen = false, int maxLineBytes = DefaultMaxLineBytes)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return new JsonLinesEventSource(stream, name, keys, maxLineBytes, leaveOpen);
    }

    /// <summary>Hands out events already in memory, in order, then finishes.</summary>
    /// <param name="events">The events (not copied: do not change them while the source is read).</param>
    /// <param name="name">Source name.</param>
    /// <exception cref="ArgumentException">The name is empty.</exception>
    public static IMarketEventSource InMemory(ReadOnlyMemory<MarketEvent> events, string name = "memory") =>
        new InMemoryEventSource(name, [events]);

    /// <summary>Hands out batches of events in order (each batch possibly split to fit the reader's destination), then finishes.</summary>
    /// <param name="batches">The batches; enumerated lazily, once.</param>
    /// <param name="name">Source name.</param>
    /// <exception cref="ArgumentException">The name is empty.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="batches"/> is null.</exception>
    public static IMarketEventSource InMemory(IEnumerable<MarketEvent[]> batches, string name = "memory")
    {
        ArgumentNullException.ThrowIfNull(batches);
        return new InMemoryEventSource(name, AsMemory(batches));
    }

    /// <summary>
    /// Passes <paramref name="source"/>'s events through unchanged and records each batch with
    /// <paramref name="recorder"/> (e.g. the demo's <c>--record</c>). Disposing the result disposes both.
    /// </summary>
    /// <exception cref="ArgumentNullException">A parameter is null.</exception>
    public static IMarketEventSource Recording(IMarketEventSource source, JsonLinesEventRecorder recorder)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(recorder);
        return new RecordingEventSource(source, recorder);
    }

    private static IEnumerable<ReadOnlyMemory<MarketEvent>> AsMemory(IEnumerable<MarketEvent[]> batches)
    {
        foreach (var batch in batches)
        {
            yield return batch;
        }
    }
}
