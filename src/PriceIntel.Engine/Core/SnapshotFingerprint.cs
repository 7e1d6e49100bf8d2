using System.Globalization;
using System.Text;

namespace PriceIntel.Engine.Core;

/// <summary>
/// The options that shape an engine's state, stored in its snapshot as name/value text so a mismatch can
/// be named: window lengths and buckets (the bucket rings), the pair window, the anomaly history length,
/// warm-up and level-shift confirmations (the detector's block layout and counters), the pricing update
/// interval (queued due times are last run + interval), and the experiment's salt and arms (product arm
/// indices and tallies). Everything else (thresholds, margins, lateness, EWMA factors) may change across
/// a restore: the restored engine runs with the new values.
/// </summary>
internal sealed class SnapshotFingerprint
{
    private const int MaxEntries = 1024;

    private readonly List<KeyValuePair<string, string>> _entries;

    private SnapshotFingerprint(List<KeyValuePair<string, string>> entries) => _entries = entries;

    /// <summary>The state-shaping values of <paramref name="options"/>, as the engine uses them.</summary>
    public static SnapshotFingerprint Of(PriceIntelOptions options)
    {
        var entries = new List<KeyValuePair<string, string>>();
        var windows = options.Windows;
        var (shortMs, mediumMs, longMs) = windows.LengthsMs;
        Add(entries, "Windows:ShortWindowMinutes", Minutes(shortMs));
        Add(entries, "Windows:MediumWindowMinutes", Minutes(mediumMs));
        Add(entries, "Windows:LongWindowMinutes", Minutes(longMs));
        Add(entries, "Windows:PairWindowMinutes", Minutes((long)(windows.PairWindowMinutes * 60_000)));
        Add(entries, "Windows:BucketsPerWindow", Text(windows.BucketsPerWindow));
        Add(entries, "Anomaly:HistoryLength", Text(options.Anomaly.HistoryLength));
        Add(entries, "Anomaly:WarmUp", Text(options.Anomaly.WarmUp));
        Add(entries, "Anomaly:LevelShiftConfirmations", Text(options.Anomaly.LevelShiftConfirmations));
        Add(entries, "Pricing:UpdateIntervalMinutes", Minutes(Math.Max(1, (long)options.Pricing.UpdateInterval.TotalMilliseconds)));
        Add(entries, "Experiment:Salt", options.Experiment.Salt);

        // The arms as the engine numbers them: with none configured, one "default" arm with Pricing:Strategy.
        var arms = options.Experiment.Arms;
        Add(entries, "Experiment:Arms:Count", Text(arms.Count));
        if (arms.Count == 0)
        {
            Add(entries, "Pricing:Strategy (the default arm's strategy)", options.Pricing.Strategy.ToString());
        }

        for (int i = 0; i < arms.Count; i++)
        {
            Add(entries, $"Experiment:Arms:{i}:Name", arms[i].Name);
            Add(entries, $"Experiment:Arms:{i}:Strategy", arms[i].Strategy.ToString());
            Add(entries, $"Experiment:Arms:{i}:Weight", arms[i].Weight.ToString("R", CultureInfo.InvariantCulture));
        }

        return new SnapshotFingerprint(entries);
    }

    /// <summary>Reads the fingerprint section.</summary>
    public static SnapshotFingerprint Read(ref SnapshotReader r)
    {
        r.ExpectSection("OPTS"u8);
        int count = r.ReadCount("option count", MaxEntries, 2 * sizeof(int)); // a name and a value, each at least its length
        var entries = new List<KeyValuePair<string, string>>(count);
        for (int i = 0; i < count; i++)
        {
            string name = r.ReadString("option name");
            entries.Add(new(name, r.ReadString("option value")));
        }

        return new SnapshotFingerprint(entries);
    }

    /// <summary>Writes the fingerprint section.</summary>
    public void Write(ref SnapshotWriter w)
    {
        w.WriteSection("OPTS"u8);
        w.WriteInt32(_entries.Count);
        foreach (var (name, value) in _entries)
        {
            w.WriteString(name);
            w.WriteString(value);
        }
    }

    /// <summary>Throws when the options the snapshot was taken with (this) differ from <paramref name="current"/>.</summary>
    /// <exception cref="InvalidDataException">A state-shaping option differs; the message names each one with both values.</exception>
    public void ThrowIfDiffers(SnapshotFingerprint current)
    {
        var mine = ToDictionary(_entries);
        var theirs = ToDictionary(current._entries);
        var differences = new StringBuilder();
        foreach (var (name, value) in _entries)
        {
            if (!theirs.TryGetValue(name, out var other) || other != value)
            {
                Describe(differences, name, value, other);
            }
        }

        foreach (var (name, value) in current._entries)
        {
            if (!mine.ContainsKey(name))
            {
                Describe(differences, name, null, value);
            }
        }

        if (differences.Length != 0)
        {
            SnapshotFormat.ThrowInvalid($"its state-shaping options differ from these options: {differences}. Restore with the options the snapshot was taken with (only non-shaping options such as thresholds may change).");
        }
    }

    private static void Describe(StringBuilder text, string name, string? snapshot, string? current)
    {
        if (text.Length != 0)
        {
            text.Append("; ");
        }

        text.Append(CultureInfo.InvariantCulture, $"snapshot was taken with {name} {snapshot ?? "(not set)"}, these options have {current ?? "(not set)"}");
    }

    private static Dictionary<string, string> ToDictionary(List<KeyValuePair<string, string>> entries)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in entries)
        {
            map[name] = value;
        }

        return map;
    }

    private static void Add(List<KeyValuePair<string, string>> entries, string name, string value) => entries.Add(new(name, value));

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Minutes(long ms) => (ms / 60_000.0).ToString("R", CultureInfo.InvariantCulture);
}
