using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace PriceIntel.Storage.Sqlite;

/// <summary>
/// WAL checkpoints beside the writer: after a commit the writer only signals; a thread of the store's
/// own copies the committed WAL pages into the database file (a PASSIVE checkpoint on its own
/// connection, at most every <see cref="CheckpointInterval"/>) while the writer goes on with the next
/// group. SQLite's automatic checkpoint ran inside the commit that crossed its threshold, on the
/// writer's thread: in the demo that was about a fifth of the writer's time, with the engine waiting.
/// The writer's own automatic checkpoint stays as a backstop at <see cref="WalBackstopPages"/> pages,
/// for when this thread falls behind.
/// </summary>
internal sealed partial class SqliteStore
{
    /// <summary>
    /// WAL pages after which a commit checkpoints on the writer's thread (SQLite's default is 1,000).
    /// Only reached when the background checkpoints fall behind: they normally let the WAL start over
    /// long before.
    /// </summary>
    internal const int WalBackstopPages = 65_536;

    /// <summary>The least time between two background checkpoints (each syncs the database file).</summary>
    internal static readonly TimeSpan CheckpointInterval = TimeSpan.FromMilliseconds(250);

    private WalCheckpointer? _checkpointer;

    /// <summary>Checkpoints the background thread has run (for tests).</summary>
    internal long BackgroundCheckpoints => _checkpointer?.Runs ?? 0;

    /// <summary>A thread with its own connection that checkpoints the WAL when the writer says a commit added to it.</summary>
    private sealed class WalCheckpointer : IDisposable
    {
        private readonly SqliteConnection _connection;
        private readonly AutoResetEvent _due = new(false);
        private readonly ManualResetEvent _stop = new(false);
        private readonly Thread _thread;
        private long _runs;

        public WalCheckpointer(string connectionString)
        {
            _connection = new SqliteConnection(connectionString);
            _connection.Open();

            // A connection checkpoints only once it has read the database (until then it has not opened the WAL).
            Execute(_connection, "SELECT count(*) FROM sqlite_master");
            _thread = new Thread(Loop) { IsBackground = true, Name = "PriceIntel SQLite checkpoint" };
            _thread.Start();
        }

        public long Runs => Interlocked.Read(ref _runs);

        /// <summary>A commit added pages to the WAL (cheap; several signals before the next checkpoint count once).</summary>
        public void Due() => _due.Set();

        /// <summary>Stops the thread (after a checkpoint in progress) and closes its connection.</summary>
        public void Dispose()
        {
            _stop.Set();
            _thread.Join();
            _connection.Dispose();
            _due.Dispose();
            _stop.Dispose();
        }

        private void Loop()
        {
            WaitHandle[] handles = [_stop, _due];
            while (WaitHandle.WaitAny(handles) == 1)
            {
                // PASSIVE: copies what no reader still needs, never waits for a lock, never blocks the
                // writer. Busy (the writer's backstop checkpoint runs) or an I/O error leaves the pages in
                // the WAL, where they are as safe: the next checkpoint takes them.
                _ = raw.sqlite3_wal_checkpoint_v2(_connection.Handle, "main", raw.SQLITE_CHECKPOINT_PASSIVE, out _, out _);
                Interlocked.Increment(ref _runs);
                if (_stop.WaitOne(CheckpointInterval))
                {
                    return;
                }
            }
        }
    }
}
