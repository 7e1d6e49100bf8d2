using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace PriceIntel.Storage.Sqlite;

/// <summary>How a SQLite store is opened. Setters check their values; the error names the option.</summary>
public sealed class SqliteStoreOptions
{
    /// <summary>The configuration section read by <see cref="Bind"/>: <c>database:sqlite</c>.</summary>
    public const string ConfigurationSection = "database:sqlite";

    private string _path = "priceintel.db";
    private long _maxSizeBytes;
    private int _cacheSizeKiB = 32 * 1024;
    private int _writeRetries = 5;
    private TimeSpan _retryDelay = TimeSpan.FromMilliseconds(200);
    private TimeSpan _busyTimeout = TimeSpan.FromSeconds(5);
    private StoreRetention _retention = new();

    /// <summary>The database file (<c>database.sqlite.path</c>); its directory is created when missing. A lock file <c>&lt;path&gt;.lock</c> sits beside it.</summary>
    /// <exception cref="ArgumentException">The path is empty.</exception>
    public string Path
    {
        get => _path;
        set
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                throw new ArgumentException("database.sqlite.path must name a file; got an empty value.", nameof(Path));
            }

            _path = value;
        }
    }

    /// <summary>Largest size the file may grow to, bytes (<c>database.sqlite.maxSizeMb</c> in MiB); 0: no limit but the disk. Writes past it fail as <see cref="StoreFullException"/> after retries.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Negative, or positive but below 1 MiB.</exception>
    public long MaxSizeBytes
    {
        get => _maxSizeBytes;
        set
        {
            if (value < 0 || (value > 0 && value < 1024 * 1024))
            {
                throw new ArgumentOutOfRangeException(nameof(MaxSizeBytes), value, $"database.sqlite.maxSizeMb must be 0 (no limit) or at least 1 MiB; got {value} bytes.");
            }

            _maxSizeBytes = value;
        }
    }

    /// <summary>Page cache per connection, KiB (<c>database.sqlite.cacheSizeKb</c>, default 32 MiB): memory stays this size whatever the history size.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Outside 256 KiB to 4 GiB.</exception>
    public int CacheSizeKiB
    {
        get => _cacheSizeKiB;
        set => _cacheSizeKiB = value is >= 256 and <= 4 * 1024 * 1024
            ? value
            : throw new ArgumentOutOfRangeException(nameof(CacheSizeKiB), value, $"database.sqlite.cacheSizeKb must be between 256 and 4194304; got {value}.");
    }

    /// <summary>How often a write that failed for a transient reason (busy, disk full, I/O error) is retried before its exception reaches the caller (default 5). The pipeline waits meanwhile: back-pressure.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Outside 0 to 1,000.</exception>
    public int WriteRetries
    {
        get => _writeRetries;
        set => _writeRetries = value is >= 0 and <= 1000
            ? value
            : throw new ArgumentOutOfRangeException(nameof(WriteRetries), value, $"database.sqlite.writeRetries must be between 0 and 1000; got {value}.");
    }

    /// <summary>First wait before a retry; doubles each time up to 10 s (default 200 ms).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Negative or above one minute.</exception>
    public TimeSpan RetryDelay
    {
        get => _retryDelay;
        set => _retryDelay = value >= TimeSpan.Zero && value <= TimeSpan.FromMinutes(1)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(RetryDelay), value, $"database.sqlite.retryDelayMs must be between 0 and 60000 ms; got {value.TotalMilliseconds} ms.");
    }

    /// <summary>How long a statement waits for a lock held by a reader or checkpoint before failing as busy (default 5 s).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Negative or above 10 minutes.</exception>
    public TimeSpan BusyTimeout
    {
        get => _busyTimeout;
        set => _busyTimeout = value >= TimeSpan.Zero && value <= TimeSpan.FromMinutes(10)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(BusyTimeout), value, $"database.sqlite.busyTimeoutMs must be between 0 and 600000 ms; got {value.TotalMilliseconds} ms.");
    }

    /// <summary>
    /// Full durability: every commit is synced to disk (survives power loss). Off by default: commits
    /// survive a process crash and are synced at checkpoints, the usual WAL trade (<c>database.sqlite.fullSync</c>).
    /// </summary>
    public bool FullSync { get; set; }

    /// <summary>
    /// Open for reading only: no lock is taken (so it works beside the process that writes), nothing
    /// is migrated, and every write fails with <see cref="MarketStoreException"/>. The file must exist.
    /// </summary>
    public bool ReadOnly { get; set; }

    /// <summary>
    /// Delete the store's files (database, WAL, shared memory) after taking the lock and before opening:
    /// the explicit way to start empty. Never set from configuration.
    /// </summary>
    public bool DeleteExistingHistory { get; set; }

    /// <summary>How long history is kept (forever unless set: nothing is deleted without configuration).</summary>
    /// <exception cref="ArgumentException">A period is not positive.</exception>
    public StoreRetention Retention
    {
        get => _retention;
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            value.Validate();
            _retention = value;
        }
    }

    /// <summary>
    /// Reads <c>database:sqlite</c> (<c>path</c>, <c>maxSizeMb</c>, <c>cacheSizeKb</c>, <c>writeRetries</c>,
    /// <c>retryDelayMs</c>, <c>busyTimeoutMs</c>, <c>fullSync</c>, and <c>retention:</c> <c>competitorPricesDays</c>,
    /// <c>minuteBucketsDays</c>, <c>hourBucketsDays</c>, <c>dayBucketsDays</c>, <c>outputsDays</c>, <c>demandEventsDays</c>,
    /// <c>demandHourBucketsDays</c>) over the defaults.
    /// Keys not listed here are reported, not ignored.
    /// </summary>
    /// <param name="configuration">The configuration root (or any section holding <c>database</c>).</param>
    /// <returns>The options.</returns>
    /// <exception cref="ArgumentException">A value is invalid or a key is unknown; the message names the key (e.g. <c>database:sqlite:maxSizeMb</c>).</exception>
    public static SqliteStoreOptions Bind(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = new SqliteStoreOptions();
        var section = configuration.GetSection(ConfigurationSection);
        foreach (var child in section.GetChildren())
        {
            var key = $"{ConfigurationSection}:{child.Key}";
            try
            {
                switch (child.Key.Replace("_", "", StringComparison.Ordinal).ToUpperInvariant())
                {
                    case "PATH": options.Path = child.Value ?? string.Empty; break;
                    case "MAXSIZEMB": options.MaxSizeBytes = Long(child) * 1024 * 1024; break;
                    case "CACHESIZEKB": options.CacheSizeKiB = (int)Long(child); break;
                    case "WRITERETRIES": options.WriteRetries = (int)Long(child); break;
                    case "RETRYDELAYMS": options.RetryDelay = TimeSpan.FromMilliseconds(Long(child)); break;
                    case "BUSYTIMEOUTMS": options.BusyTimeout = TimeSpan.FromMilliseconds(Long(child)); break;
                    case "FULLSYNC": options.FullSync = Bool(child); break;
                    case "RETENTION": options.Retention = BindRetention(child, key); break;
                    default: throw new ArgumentException($"unknown key (known: path, maxSizeMb, cacheSizeKb, writeRetries, retryDelayMs, busyTimeoutMs, fullSync, retention)");
                }
            }
            catch (Exception ex) when (ex is ArgumentException or FormatException or OverflowException)
            {
                throw new ArgumentException($"configuration {key} = '{child.Value}': {ex.Message}", key, ex);
            }
        }

        return options;
    }

    private static StoreRetention BindRetention(IConfigurationSection section, string prefix)
    {
        var retention = new StoreRetention();
        foreach (var child in section.GetChildren())
        {
            TimeSpan? days = TimeSpan.FromDays(Long(child));
            retention = child.Key.Replace("_", "", StringComparison.Ordinal).ToUpperInvariant() switch
            {
                "COMPETITORPRICESDAYS" => retention with { CompetitorPrices = days },
                "MINUTEBUCKETSDAYS" => retention with { MinuteBuckets = days },
                "HOURBUCKETSDAYS" => retention with { HourBuckets = days },
                "DAYBUCKETSDAYS" => retention with { DayBuckets = days },
                "OUTPUTSDAYS" => retention with { Outputs = days },
                "DEMANDEVENTSDAYS" => retention with { DemandEvents = days },
                "DEMANDHOURBUCKETSDAYS" => retention with { DemandHourBuckets = days },
                _ => throw new ArgumentException($"unknown key {prefix}:{child.Key} (known: competitorPricesDays, minuteBucketsDays, hourBucketsDays, dayBucketsDays, outputsDays, demandEventsDays, demandHourBucketsDays)"),
            };
        }

        retention.Validate();
        return retention;
    }

    private static long Long(IConfigurationSection s) =>
        long.TryParse(s.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : throw new FormatException("expected a whole number");

    private static bool Bool(IConfigurationSection s) =>
        bool.TryParse(s.Value, out var v) ? v : throw new FormatException("expected true or false");
}
