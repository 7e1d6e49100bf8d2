using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Data.Sqlite;

namespace PriceIntel.Storage.Sqlite;

/// <summary>
/// The SQLite store. One writer connection behind a gate (writes are batched into one transaction
/// each, with prepared statements, retried on transient failures while the caller waits); queries
/// open pooled read-only connections, which WAL lets run beside the writer. Key names and counters
/// are cached in memory (bounded by the number of keys, not the history size).
/// </summary>
internal sealed partial class SqliteStore : IMarketStore
{
    internal const int ProductKind = 1;
    internal const int CompetitorKind = 2;
    internal const int PlatformKind = 3;

    private const int CounterProducts = 0;
    private const int CounterCompetitorPrices = 1;
    private const int CounterOurPrices = 2;
    private const int CounterSignals = 3;
    private const int CounterAcknowledged = 4;
    private const int CounterDecisions = 5;
    private const int CounterExperimentResults = 6;
    private const int CounterNewestObservation = 7;
    private const int CounterDemandEvents = 8;
    private static readonly string[] CounterNames = ["products", "competitor_prices", "our_prices", "signals", "acknowledged", "decisions", "experiment_results", "newest_observation", "demand_events"];

    private readonly string _path;
    private readonly SqliteStoreOptions _options;
    private readonly FileStream? _lockFile;
    private readonly SqliteConnection _writer;
    private readonly string _readConnectionString;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly ConcurrentDictionary<long, string>[] _names = [new(), new(), new(), new()];
    private readonly long[] _counters = new long[CounterNames.Length];
    private readonly WriteContext _context;
    private long _lastRetentionTicks = Environment.TickCount64;
    private bool _disposed;

    private SqliteStore(string path, SqliteStoreOptions options, FileStream? lockFile, SqliteConnection writer, string readConnectionString)
    {
        _path = path;
        _options = options;
        _lockFile = lockFile;
        _writer = writer;
        _readConnectionString = readConnectionString;
        _context = new WriteContext(this);
    }

    /// <summary>The full path of the database file.</summary>
    internal string Path => _path;

    /// <summary>A stored id: the unsigned id with its top bit flipped, so signed order is unsigned order.</summary>
    internal static long Sid(ulong id) => unchecked((long)(id ^ 0x8000_0000_0000_0000UL));

    /// <summary>The id back from <see cref="Sid"/>.</summary>
    internal static ulong Uid(long sid) => unchecked((ulong)sid ^ 0x8000_0000_0000_0000UL);

    internal static long KeyHash(string name) => unchecked((long)KeyTable.ComputeStableHash(name));

    internal static SqliteStore Open(SqliteStoreOptions options)
    {
        string full;
        try
        {
            full = System.IO.Path.GetFullPath(options.Path);
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new MarketStoreException(options.Path, $"database.sqlite.path '{options.Path}' is not a valid path: {ex.Message}", ex);
        }

        var directory = System.IO.Path.GetDirectoryName(full)!;
        try
        {
            Directory.CreateDirectory(directory);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new MarketStoreException(full, $"cannot create the store directory '{directory}': {PriceIntel.Shared.PathCreationFailure.Reason(directory, ex, directory: true)}", ex);
        }

        if (Directory.Exists(full))
        {
            throw new MarketStoreException(full, $"store path '{full}' is a directory; database.sqlite.path must name a file");
        }

        if (options.ReadOnly && !File.Exists(full))
        {
            throw new MarketStoreException(full, $"store '{full}' does not exist (opened read-only, so it is not created)");
        }

        // Read-only: no lock (it works beside the writing process), nothing migrated; writes fail as read-only.
        var lockFile = options.ReadOnly ? null : AcquireLock(full);
        SqliteConnection? writer = null;
        try
        {
            if (options.DeleteExistingHistory && !options.ReadOnly)
            {
                // Under the lock: nobody else is writing. The explicit way to start empty.
                foreach (var file in new[] { full, full + "-wal", full + "-shm" })
                {
                    try
                    {
                        File.Delete(file);
                    }
                    catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                    {
                        throw new MarketStoreException(full, $"cannot delete '{file}' to start the store empty: {ex.Message}", ex);
                    }
                }
            }

            var timeoutSeconds = Math.Max(1, (int)Math.Ceiling(options.BusyTimeout.TotalSeconds));
            var writeCs = new SqliteConnectionStringBuilder { DataSource = full, Mode = options.ReadOnly ? SqliteOpenMode.ReadOnly : SqliteOpenMode.ReadWriteCreate, Pooling = false, DefaultTimeout = timeoutSeconds }.ToString();
            var readCs = new SqliteConnectionStringBuilder { DataSource = full, Mode = SqliteOpenMode.ReadOnly, Pooling = true, DefaultTimeout = timeoutSeconds }.ToString();
            writer = new SqliteConnection(writeCs);
            writer.Open();
            if (options.ReadOnly)
            {
                var version = Convert.ToInt32(SqliteSchema.Scalar(writer, "PRAGMA user_version"), CultureInfo.InvariantCulture);
                if (version is < 1 || version > SqliteSchema.CurrentVersion)
                {
                    throw new MarketStoreException(full, $"store '{full}' has schema version {version}; this build reads 1 to {SqliteSchema.CurrentVersion} (open it once read-write to create or migrate it)");
                }

                Execute(writer, $"PRAGMA cache_size = -{options.CacheSizeKiB}; PRAGMA busy_timeout = {(long)options.BusyTimeout.TotalMilliseconds};");
                var reading = new SqliteStore(full, options, null, writer, readCs);
                reading.LoadCaches();
                reading._context.Prepare();
                reading.StartWriter();
                return reading;
            }

            var journal = Convert.ToString(SqliteSchema.Scalar(writer, "PRAGMA journal_mode = WAL"), CultureInfo.InvariantCulture);
            if (!string.Equals(journal, "wal", StringComparison.OrdinalIgnoreCase))
            {
                throw new MarketStoreException(full, $"store '{full}' cannot use write-ahead logging (journal mode stays '{journal}'); put it on a local file system");
            }

            Execute(writer, $"PRAGMA synchronous = {(options.FullSync ? "FULL" : "NORMAL")}; PRAGMA cache_size = -{options.CacheSizeKiB}; PRAGMA temp_store = MEMORY; PRAGMA wal_autocheckpoint = {WalBackstopPages}; PRAGMA busy_timeout = {(long)options.BusyTimeout.TotalMilliseconds};");
            if (options.MaxSizeBytes > 0)
            {
                var pageSize = Convert.ToInt64(SqliteSchema.Scalar(writer, "PRAGMA page_size"), CultureInfo.InvariantCulture);
                Execute(writer, $"PRAGMA max_page_count = {Math.Max(16, options.MaxSizeBytes / pageSize)}");
            }

            SqliteSchema.Migrate(writer, full);
            var store = new SqliteStore(full, options, lockFile, writer, readCs);
            store.LoadCaches();
            store._context.Prepare();
            store._checkpointer = new WalCheckpointer(writeCs);
            store.StartWriter();
            return store;
        }
        catch (SqliteException ex)
        {
            writer?.Dispose();
            lockFile?.Dispose();
            throw ex.SqliteErrorCode is 26 or 11
                ? new MarketStoreException(full, $"'{full}' is not a PriceIntel store (not a readable SQLite database): {ex.Message}", ex)
                : new MarketStoreException(full, $"cannot open store '{full}': {ex.Message}", ex);
        }
        catch
        {
            writer?.Dispose();
            lockFile?.Dispose();
            throw;
        }
    }

    private static FileStream AcquireLock(string full)
    {
        var lockPath = full + ".lock";
        try
        {
            // FileShare.None takes an exclusive advisory lock (flock on Unix, a share lock on Windows):
            // held until this process closes it or dies, so a killed writer never leaves it stuck.
            var stream = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
            stream.SetLength(0);
            var pid = System.Text.Encoding.ASCII.GetBytes(Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
            stream.Write(pid);
            stream.Flush();
            return stream;
        }
        catch (IOException ex) when (File.Exists(lockPath))
        {
            throw new StoreInUseException(full, ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new MarketStoreException(full, $"cannot create the lock file '{lockPath}': {PriceIntel.Shared.PathCreationFailure.Reason(lockPath, ex, directory: false)}", ex);
        }
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    private void LoadCaches()
    {
        bool demandCounted = false;
        using (var cmd = _writer.CreateCommand())
        {
            cmd.CommandText = "SELECT kind, hash, name FROM keys";
            using var reader = cmd.ExecuteReader();
            while (reader.Read())
            {
                var kind = reader.GetInt32(0);
                if (kind is >= ProductKind and <= PlatformKind)
                {
                    _names[kind][reader.GetInt64(1)] = reader.GetString(2);
                }
            }
        }

        using (var cmd = _writer.CreateCommand())
        {
            cmd.CommandText = "SELECT name, value FROM counters";
            using var reader = cmd.ExecuteReader();
            while (reader.Read())
            {
                var index = Array.IndexOf(CounterNames, reader.GetString(0));
                if (index >= 0)
                {
                    _counters[index] = reader.GetInt64(1);
                    demandCounted |= index == CounterDemandEvents;
                }
            }
        }

        // Stores written before the demand-event counter existed: counted once (and the count kept when writable).
        if (!demandCounted && Convert.ToInt64(SqliteSchema.Scalar(_writer, "SELECT count(*) FROM sqlite_master WHERE name = 'demand_events'"), CultureInfo.InvariantCulture) > 0)
        {
            _counters[CounterDemandEvents] = Convert.ToInt64(SqliteSchema.Scalar(_writer, "SELECT count(*) FROM demand_events"), CultureInfo.InvariantCulture);
            if (!_options.ReadOnly)
            {
                Execute(_writer, $"INSERT INTO counters (name, value) VALUES ('demand_events', {_counters[CounterDemandEvents]})");
            }
        }
    }

    /// <summary>The name of a stored key hash (from the cache; the keys table when a reader raced a commit).</summary>
    internal string Name(int kind, long hash)
    {
        if (_names[kind].TryGetValue(hash, out var name))
        {
            return name;
        }

        using var connection = OpenReader();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT name FROM keys WHERE kind = $k AND hash = $h";
        cmd.Parameters.AddWithValue("$k", kind);
        cmd.Parameters.AddWithValue("$h", hash);
        name = cmd.ExecuteScalar() as string ?? throw new MarketStoreException(_path, $"store '{_path}' references a key that is not in its key table (kind {kind}, hash {hash}); run PRAGMA integrity_check");
        _names[kind][hash] = name;
        return name;
    }

    /// <inheritdoc />
    public ValueTask<StoreStatistics> GetStatisticsAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ObjectDisposedException.ThrowIf(_disposed, this);
        long C(int i) => Interlocked.Read(ref _counters[i]);
        return ValueTask.FromResult(new StoreStatistics(
            C(CounterProducts),
            C(CounterCompetitorPrices),
            C(CounterOurPrices),
            C(CounterSignals),
            C(CounterSignals) - C(CounterAcknowledged),
            C(CounterDecisions),
            C(CounterExperimentResults))
        {
            DemandEvents = C(CounterDemandEvents),
        });
    }

    /// <inheritdoc />
    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        // The queue is first in, first out: once this empty item is through, everything queued before it is.
        ThrowIfSinkFailed();
        await WriteAsync(0, static (_, _) => 0, cancellationToken, rows: 0).ConfigureAwait(false);
        ThrowIfSinkFailed();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        // Whatever is queued is written first.
        _queue.Writer.TryComplete();
        await _writeLoop.ConfigureAwait(false);
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _context.Dispose();
            _checkpointer?.Dispose();
            try
            {
                Execute(_writer, "PRAGMA wal_checkpoint(TRUNCATE)");
            }
            catch (SqliteException)
            {
                // A reader still holds a snapshot: the WAL is checkpointed on the next open instead.
            }

            _writer.Dispose();
            using (var reader = new SqliteConnection(_readConnectionString))
            {
                SqliteConnection.ClearPool(reader);
            }

            if (_lockFile is not null)
            {
                await _lockFile.DisposeAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    internal SqliteConnection OpenReader()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var connection = new SqliteConnection(_readConnectionString);
        try
        {
            connection.Open();
            return connection;
        }
        catch (SqliteException ex)
        {
            connection.Dispose();
            throw new MarketStoreException(_path, $"cannot read store '{_path}': {ex.Message}", ex);
        }
    }

    private static bool IsTransient(SqliteException ex) => (ex.SqliteErrorCode & 0xFF) is 5 or 6 or 10 or 13;

    private MarketStoreException Translate(SqliteException ex) => (ex.SqliteErrorCode & 0xFF) switch
    {
        13 => new StoreFullException(_path, ex),
        5 or 6 => new MarketStoreException(_path, $"store '{_path}' stayed busy (locked by another connection) through {_options.WriteRetries} retries: {ex.Message}", ex),
        8 => new MarketStoreException(_path, $"store '{_path}' is read-only: {ex.Message}", ex),
        10 => new MarketStoreException(_path, $"I/O error writing store '{_path}': {ex.Message}", ex),
        _ => new MarketStoreException(_path, $"store '{_path}' failed a write: {ex.Message}", ex),
    };

    private void PublishCounters(long[] deltas)
    {
        for (int i = 0; i < deltas.Length; i++)
        {
            if (i == CounterNewestObservation)
            {
                if (deltas[i] > _counters[i])
                {
                    Interlocked.Exchange(ref _counters[i], deltas[i]);
                }
            }
            else if (deltas[i] != 0)
            {
                Interlocked.Add(ref _counters[i], deltas[i]);
            }
        }
    }
}
