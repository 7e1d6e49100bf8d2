using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace PriceIntel.Storage.Sqlite;

/// <summary>
/// A statement prepared once on the writer's connection and run through SQLitePCL directly:
/// binding by position without boxing or name look-ups, for the statements the writer runs once
/// per observation, bucket, signal, decision or key (a profile of the sink's writes had
/// Microsoft.Data.Sqlite's by-name binding at about 40 % of the writer thread). It runs inside whatever transaction the
/// connection has open. Not thread-safe; used only by the writer.
/// </summary>
internal sealed class RawStatement : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly sqlite3_stmt _statement;

    public RawStatement(SqliteConnection connection, string sql)
    {
        _connection = connection;
        int rc = raw.sqlite3_prepare_v2(connection.Handle, sql, out _statement);
        SqliteException.ThrowExceptionForRC(rc, connection.Handle);
    }

    /// <summary>Binds <paramref name="value"/> to the 1-based parameter <paramref name="index"/>.</summary>
    public void Bind(int index, long value) => Check(raw.sqlite3_bind_int64(_statement, index, value));

    /// <summary>Binds <paramref name="value"/> to the 1-based parameter <paramref name="index"/>.</summary>
    public void Bind(int index, double value) => Check(raw.sqlite3_bind_double(_statement, index, value));

    /// <summary>Binds <paramref name="value"/>, or NULL when it is null, to the 1-based parameter <paramref name="index"/>.</summary>
    public void Bind(int index, string? value) =>
        Check(value is null ? raw.sqlite3_bind_null(_statement, index) : raw.sqlite3_bind_text(_statement, index, value));

    /// <summary>Binds <paramref name="value"/>, or NULL when it has none, to the 1-based parameter <paramref name="index"/>.</summary>
    public void Bind(int index, long? value) =>
        Check(value is { } v ? raw.sqlite3_bind_int64(_statement, index, v) : raw.sqlite3_bind_null(_statement, index));

    /// <summary>Runs the statement once and returns the rows it changed; the bindings stay for the next run.</summary>
    public int Execute()
    {
        int rc = raw.sqlite3_step(_statement);
        int reset = raw.sqlite3_reset(_statement);
        if (rc != raw.SQLITE_DONE)
        {
            SqliteException.ThrowExceptionForRC(rc == raw.SQLITE_ROW ? raw.SQLITE_MISUSE : rc, _connection.Handle);
        }

        SqliteException.ThrowExceptionForRC(reset, _connection.Handle);
        return raw.sqlite3_changes(_connection.Handle);
    }

    /// <summary>
    /// Runs the statement once: true when it completed, false when a constraint made SQLite abort it
    /// (the statement's changes are backed out, the transaction goes on); other failures throw.
    /// </summary>
    public bool TryExecute()
    {
        int rc = raw.sqlite3_step(_statement);
        int reset = raw.sqlite3_reset(_statement);
        if (rc == raw.SQLITE_DONE)
        {
            SqliteException.ThrowExceptionForRC(reset, _connection.Handle);
            return true;
        }

        if ((rc & 0xff) == raw.SQLITE_CONSTRAINT)
        {
            return false;
        }

        SqliteException.ThrowExceptionForRC(rc == raw.SQLITE_ROW ? raw.SQLITE_MISUSE : rc, _connection.Handle);
        return false;
    }

    public void Dispose() => _statement.Dispose();

    private void Check(int rc)
    {
        if (rc != raw.SQLITE_OK)
        {
            SqliteException.ThrowExceptionForRC(rc, _connection.Handle);
        }
    }
}
