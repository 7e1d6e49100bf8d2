using System.Reflection;
using System.Runtime.InteropServices;

namespace PriceIntel.Kafka.Testing;

/// <summary>
/// P/Invoke declarations for the parts of librdkafka that Confluent.Kafka does not wrap: the mock
/// cluster API of <c>rdkafka_mock.h</c>, plus the few core calls needed to create the
/// <c>rd_kafka_t</c> that hosts a mock cluster.
/// </summary>
/// <remarks>
/// <para>
/// These imports must bind to the very file Confluent.Kafka already loaded: two copies of librdkafka
/// in one process would each have their own global state. On Debian 12 the package's default
/// <c>librdkafka.so</c> cannot load (it needs libsasl2.so.3) and Confluent.Kafka silently falls back
/// to the bundled <c>centos8-librdkafka.so</c>, so the file name cannot be guessed. The static
/// constructor therefore makes Confluent.Kafka load its library first, then installs a
/// <see cref="NativeLibrary.SetDllImportResolver"/> for this assembly that maps
/// <see cref="LibraryName"/> to the librdkafka found in <c>/proc/self/maps</c>.
/// </para>
/// <para>
/// <see cref="NativeLibrary.SetDllImportResolver"/> may be called only once per assembly, so the
/// resolver handles only <see cref="LibraryName"/> and returns <see cref="IntPtr.Zero"/> (default
/// probing) for every other name: later native imports in this assembly keep working unchanged.
/// </para>
/// </remarks>
internal static partial class LibrdkafkaNative
{
    /// <summary>The library name every import in this assembly uses for librdkafka.</summary>
    internal const string LibraryName = "librdkafka";

    private static readonly Lazy<IntPtr> Handle = new(LoadSameLibraryAsConfluent, LazyThreadSafetyMode.ExecutionAndPublication);

    static LibrdkafkaNative()
    {
        NativeLibrary.SetDllImportResolver(typeof(LibrdkafkaNative).Assembly, Resolve);
    }

    /// <summary>Path of the loaded librdkafka file, or <c>null</c> when it was found by default probing.</summary>
    internal static string? LoadedPath { get; private set; }

    /// <summary>Forces the library to be resolved now; throws what the first native call would throw.</summary>
    /// <exception cref="DllNotFoundException">librdkafka could not be found.</exception>
    internal static void EnsureLoaded() => _ = Handle.Value;

    private static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath) =>
        libraryName == LibraryName ? Handle.Value : IntPtr.Zero;

    private static IntPtr LoadSameLibraryAsConfluent()
    {
        // Makes Confluent.Kafka run its own loader (with its fallbacks) if it has not yet.
        _ = Confluent.Kafka.Library.Version;

        var searched = new List<string>();
        const string maps = "/proc/self/maps";
        if (File.Exists(maps))
        {
            searched.Add(maps);
            var path = FindMappedLibrdkafka(File.ReadLines(maps));
            if (path is not null)
            {
                LoadedPath = path;
                return NativeLibrary.Load(path);
            }
        }

        // No /proc (Windows, macOS): Confluent.Kafka loads librdkafka by its plain name there too, so
        // default probing from Confluent.Kafka's assembly finds the same, already loaded module.
        var confluent = typeof(Confluent.Kafka.Library).Assembly;
        foreach (var name in new[] { "librdkafka", "rdkafka" })
        {
            searched.Add($"default probing for '{name}' from {confluent.GetName().Name}");
            if (NativeLibrary.TryLoad(name, confluent, DllImportSearchPath.SafeDirectories | DllImportSearchPath.AssemblyDirectory, out var handle))
            {
                return handle;
            }
        }

        throw new DllNotFoundException(
            "Could not find the librdkafka that Confluent.Kafka loaded (Confluent.Kafka.Library.IsLoaded = "
            + Confluent.Kafka.Library.IsLoaded + "). Searched: " + string.Join("; ", searched) + ".");
    }

    /// <summary>
    /// Returns the path of the first mapped file whose file name contains "librdkafka", from lines in
    /// the format of <c>/proc/self/maps</c> (<c>address perms offset dev inode path</c>).
    /// </summary>
    internal static string? FindMappedLibrdkafka(IEnumerable<string> mapsLines)
    {
        foreach (var line in mapsLines)
        {
            var slash = line.IndexOf('/', StringComparison.Ordinal);
            if (slash < 0)
            {
                continue;
            }

            var path = line[slash..].TrimEnd();
            if (path.EndsWith(" (deleted)", StringComparison.Ordinal))
            {
                continue;
            }

            if (Path.GetFileName(path).Contains("librdkafka", StringComparison.Ordinal))
            {
                return path;
            }
        }

        return null;
    }

    // ---- core (rdkafka.h) ----

    [LibraryImport(LibraryName)]
    internal static partial IntPtr rd_kafka_conf_new();

    [LibraryImport(LibraryName, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int rd_kafka_conf_set(IntPtr conf, string name, string value, byte[] errstr, nuint errstrSize);

    [LibraryImport(LibraryName)]
    internal static partial void rd_kafka_conf_destroy(IntPtr conf);

    /// <summary>Takes ownership of <paramref name="conf"/> on success only.</summary>
    [LibraryImport(LibraryName)]
    internal static partial IntPtr rd_kafka_new(int type, IntPtr conf, byte[] errstr, nuint errstrSize);

    [LibraryImport(LibraryName)]
    internal static partial void rd_kafka_destroy(IntPtr rk);

    // ---- mock cluster (rdkafka_mock.h) ----

    [LibraryImport(LibraryName)]
    internal static partial IntPtr rd_kafka_mock_cluster_new(IntPtr rk, int brokerCount);

    [LibraryImport(LibraryName)]
    internal static partial void rd_kafka_mock_cluster_destroy(IntPtr mcluster);

    /// <summary>Returns a pointer to a UTF-8 string owned by the cluster.</summary>
    [LibraryImport(LibraryName)]
    internal static partial IntPtr rd_kafka_mock_cluster_bootstraps(MockClusterHandle mcluster);

    [LibraryImport(LibraryName, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int rd_kafka_mock_topic_create(MockClusterHandle mcluster, string topic, int partitionCount, int replicationFactor);

    [LibraryImport(LibraryName)]
    internal static partial int rd_kafka_mock_broker_set_down(MockClusterHandle mcluster, int brokerId);

    [LibraryImport(LibraryName)]
    internal static partial int rd_kafka_mock_broker_set_up(MockClusterHandle mcluster, int brokerId);

    [LibraryImport(LibraryName)]
    internal static partial int rd_kafka_mock_broker_set_rtt(MockClusterHandle mcluster, int brokerId, int rttMs);

    [LibraryImport(LibraryName)]
    internal static partial void rd_kafka_mock_push_request_errors_array(MockClusterHandle mcluster, short apiKey, nuint count, int[] errors);

    [LibraryImport(LibraryName)]
    internal static partial void rd_kafka_mock_clear_request_errors(MockClusterHandle mcluster, short apiKey);

    [LibraryImport(LibraryName, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int rd_kafka_mock_coordinator_set(MockClusterHandle mcluster, string keyType, string key, int brokerId);

    [LibraryImport(LibraryName, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int rd_kafka_mock_partition_set_leader(MockClusterHandle mcluster, string topic, int partition, int brokerId);

    [LibraryImport(LibraryName, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial void rd_kafka_mock_topic_set_error(MockClusterHandle mcluster, string topic, int error);

    [LibraryImport(LibraryName)]
    internal static partial void rd_kafka_mock_group_initial_rebalance_delay_ms(MockClusterHandle mcluster, int delayMs);
}
