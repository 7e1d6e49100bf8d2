using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace PriceIntel.Storage.Sqlite;

/// <summary>
/// A statement of integer parameters prepared once on the writer's connection and run through
/// SQLitePCL directly: binding by position without boxing or name look-ups, for the statements
/// the writer runs once per observation or bucket. It runs inside whatever transaction the
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
    public void Bind(int index, long value)
    {
        int rc = raw.sqlite3_bind_int64(_statement, index, value);
        if (rc != raw.SQLITE_OK)
        {
            SqliteException.ThrowExceptionForRC(rc, _connection.Handle);
        }
    }

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

    public void Dispose() => _statement.Dispose();
}
