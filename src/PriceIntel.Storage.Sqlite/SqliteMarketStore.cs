using Microsoft.Data.Sqlite;

namespace PriceIntel.Storage.Sqlite;

/// <summary>
/// Opens the embedded SQLite store: one file (plus its WAL and a lock file) holding the catalog,
/// price history, signals, decisions and experiment results. One process writes at a time; a second
/// one gets <see cref="StoreInUseException"/>. Opening never deletes anything: to start empty, point
/// at a new path or delete the files yourself.
/// </summary>
public static class SqliteMarketStore
{
    /// <summary>Opens (creating when missing, migrating when older) the store at <see cref="SqliteStoreOptions.Path"/>.</summary>
    /// <param name="options">Path, size limit, cache, retries and retention.</param>
    /// <returns>The store; dispose it to release the file.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="StoreInUseException">Another process (or store object) has the store open.</exception>
    /// <exception cref="MarketStoreException">The directory cannot be created, the file is not a PriceIntel store, or its schema is newer than this build; the message names the path.</exception>
    public static IMarketStore Open(SqliteStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return SqliteStore.Open(options);
    }

    /// <summary>
    /// Checks a store file without opening it for writing: SQLite's <c>PRAGMA integrity_check</c>.
    /// Safe while another process writes (it reads a consistent snapshot).
    /// </summary>
    /// <param name="path">The database file.</param>
    /// <returns>"ok", or the problems SQLite found.</returns>
    /// <exception cref="MarketStoreException">The file cannot be read as a SQLite database.</exception>
    public static string CheckIntegrity(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = System.IO.Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            throw new MarketStoreException(full, $"store file not found: '{full}'");
        }

        try
        {
            using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = full, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
            connection.Open();
            return Convert.ToString(SqliteSchema.Scalar(connection, "PRAGMA integrity_check"), System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty;
        }
        catch (SqliteException ex)
        {
            throw new MarketStoreException(full, $"cannot check store '{full}': {ex.Message}", ex);
        }
    }
}
