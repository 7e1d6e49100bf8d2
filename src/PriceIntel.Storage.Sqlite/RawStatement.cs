using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace PriceIntel.Storage.Sqlite;

/// <summary>
/// A statement prepared once on the writer's connection and run by calling SQLite itself: binding
/// by position without boxing or name look-ups, for the statements the writer runs once per
/// observation, bucket, signal, decision or key (a profile of the sink's writes had
/// Microsoft.Data.Sqlite's by-name binding at about 40 % of the writer thread). It is prepared through
/// SQLitePCL (which owns the handles and finalizes the statement) but bound, stepped and reset through
/// direct calls into the same native library (<c>e_sqlite3</c>, which SQLitePCL's provider calls too):
/// SQLitePCL's per-call provider dispatch and handle reference counting cost about as much as a bind
/// itself; the binds (short, non-blocking calls) also skip the GC transition. Text is encoded into a reused UTF-8 buffer (no allocation per row); SQLite copies it.
/// It runs inside whatever transaction the connection has open. Not thread-safe; used only by the
/// writer, on a connection that stays open while the statement lives.
/// </summary>
internal sealed partial class RawStatement : IDisposable
{
    private const string Library = "e_sqlite3";

    /// <summary>SQLite's SQLITE_TRANSIENT destructor: SQLite copies the bound text before the call returns.</summary>
    private static readonly nint Transient = -1;

    private readonly SqliteConnection _connection;
    private readonly sqlite3_stmt _statement;
    private readonly nint _stmt;
    private readonly nint _db;
    private byte[] _text = new byte[256];

    public RawStatement(SqliteConnection connection, string sql)
    {
        _connection = connection;
        int rc = raw.sqlite3_prepare_v2(connection.Handle, sql, out _statement);
        SqliteException.ThrowExceptionForRC(rc, connection.Handle);
        _stmt = _statement.DangerousGetHandle();
        _db = connection.Handle!.DangerousGetHandle();
    }

    /// <summary>Binds <paramref name="value"/> to the 1-based parameter <paramref name="index"/>.</summary>
    public void Bind(int index, long value) => Check(NativeBindInt64(_stmt, index, value));

    /// <summary>Binds <paramref name="value"/> to the 1-based parameter <paramref name="index"/>.</summary>
    public void Bind(int index, double value) => Check(NativeBindDouble(_stmt, index, value));

    /// <summary>Binds <paramref name="value"/> (as UTF-8), or NULL when it is null, to the 1-based parameter <paramref name="index"/>.</summary>
    public void Bind(int index, string? value)
    {
        if (value is null)
        {
            Check(NativeBindNull(_stmt, index));
            return;
        }

        int max = Encoding.UTF8.GetMaxByteCount(value.Length);
        if (_text.Length < max)
        {
            _text = new byte[Math.Max(max, _text.Length * 2)];
        }

        int length = Encoding.UTF8.GetBytes(value, _text);
        Check(NativeBindText(_stmt, index, ref MemoryMarshal.GetArrayDataReference(_text), length, Transient));
    }

    /// <summary>Binds <paramref name="value"/>, or NULL when it has none, to the 1-based parameter <paramref name="index"/>.</summary>
    public void Bind(int index, long? value) =>
        Check(value is { } v ? NativeBindInt64(_stmt, index, v) : NativeBindNull(_stmt, index));

    /// <summary>Runs the statement once and returns the rows it changed; the bindings stay for the next run.</summary>
    public int Execute()
    {
        int rc = NativeStep(_stmt);
        int reset = NativeReset(_stmt);
        if (rc != raw.SQLITE_DONE)
        {
            SqliteException.ThrowExceptionForRC(rc == raw.SQLITE_ROW ? raw.SQLITE_MISUSE : rc, _connection.Handle);
        }

        SqliteException.ThrowExceptionForRC(reset, _connection.Handle);
        return NativeChanges(_db);
    }

    /// <summary>
    /// Runs the statement once: true when it completed, false when a constraint made SQLite abort it
    /// (the statement's changes are backed out, the transaction goes on); other failures throw.
    /// </summary>
    public bool TryExecute()
    {
        int rc = NativeStep(_stmt);
        int reset = NativeReset(_stmt);
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

    [LibraryImport(Library, EntryPoint = "sqlite3_bind_int64")]
    [SuppressGCTransition]
    private static partial int NativeBindInt64(nint statement, int index, long value);

    [LibraryImport(Library, EntryPoint = "sqlite3_bind_double")]
    [SuppressGCTransition]
    private static partial int NativeBindDouble(nint statement, int index, double value);

    [LibraryImport(Library, EntryPoint = "sqlite3_bind_null")]
    [SuppressGCTransition]
    private static partial int NativeBindNull(nint statement, int index);

    [LibraryImport(Library, EntryPoint = "sqlite3_bind_text")]
    [SuppressGCTransition]
    private static partial int NativeBindText(nint statement, int index, ref byte text, int length, nint destructor);

    [LibraryImport(Library, EntryPoint = "sqlite3_step")]
    private static partial int NativeStep(nint statement);

    [LibraryImport(Library, EntryPoint = "sqlite3_reset")]
    private static partial int NativeReset(nint statement);

    [LibraryImport(Library, EntryPoint = "sqlite3_changes")]
    [SuppressGCTransition]
    private static partial int NativeChanges(nint connection);
}
