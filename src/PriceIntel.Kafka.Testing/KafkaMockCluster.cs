using System.Runtime.InteropServices;
using System.Text;
using Confluent.Kafka;

namespace PriceIntel.Kafka.Testing;

/// <summary>
/// librdkafka's in-process mock Kafka cluster: real Kafka protocol brokers listening on loopback TCP,
/// for tests, benchmarks and demos that need Kafka without a Kafka server. Point any Confluent.Kafka
/// client at <see cref="BootstrapServers"/>; inject faults with the <c>Set*</c> and
/// <see cref="PushRequestErrors"/> methods.
/// </summary>
/// <remarks>
/// <para>
/// Broker ids run from 1 to <see cref="Brokers"/>. Topics are created with <see cref="CreateTopic"/>;
/// the mock also auto-creates a topic a client asks for (with its default partition count).
/// </para>
/// <para>
/// Thread safety: every member may be called from any thread, also while clients are using the
/// cluster; the native mock API posts each change to the cluster's own thread or takes its lock.
/// <see cref="Dispose"/> waits for calls in flight and may run concurrently with them.
/// </para>
/// <para>
/// Limits (librdkafka 2.16): the mock keeps only the newest few MiB per partition,
/// checks producer sequence numbers only for transactional producers, and has no admin API for topics.
/// The mock API is marked experimental by librdkafka and may change between versions.
/// </para>
/// </remarks>
public sealed class KafkaMockCluster : IDisposable
{
    private const int AllBrokers = -1;
    private readonly MockClusterHandle _handle;

    private KafkaMockCluster(MockClusterHandle handle, int brokers, string bootstrapServers)
    {
        _handle = handle;
        Brokers = brokers;
        BootstrapServers = bootstrapServers;
    }

    /// <summary>The <c>bootstrap.servers</c> list of the mock brokers, e.g. <c>127.0.0.1:39327,127.0.0.1:41533</c>.</summary>
    public string BootstrapServers { get; }

    /// <summary>Number of brokers; their ids are 1 to <see cref="Brokers"/>.</summary>
    public int Brokers { get; }

    /// <summary>
    /// Starts a mock cluster with <paramref name="brokers"/> brokers on loopback. The hosting librdkafka
    /// instance logs errors only (<c>log_level=3</c>), so the mock does not write to standard error in
    /// normal operation.
    /// </summary>
    /// <param name="brokers">Number of brokers, 1 to 64.</param>
    /// <returns>The running cluster; dispose it to stop the brokers.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="brokers"/> is outside 1..64.</exception>
    /// <exception cref="DllNotFoundException">The librdkafka loaded by Confluent.Kafka could not be found.</exception>
    /// <exception cref="InvalidOperationException">librdkafka refused to create the host instance or the cluster.</exception>
    public static KafkaMockCluster Create(int brokers = 3)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(brokers, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(brokers, 64);
        LibrdkafkaNative.EnsureLoaded();

        var errstr = new byte[512];
        var conf = LibrdkafkaNative.rd_kafka_conf_new();
        if (LibrdkafkaNative.rd_kafka_conf_set(conf, "log_level", "3", errstr, (nuint)errstr.Length) != 0)
        {
            LibrdkafkaNative.rd_kafka_conf_destroy(conf);
            throw new InvalidOperationException("librdkafka refused log_level=3 for the mock cluster host: " + CString(errstr));
        }

        // rd_kafka_type_t 0 = producer: the lightest client; it connects nowhere (no bootstrap.servers).
        var host = LibrdkafkaNative.rd_kafka_new(0, conf, errstr, (nuint)errstr.Length);
        if (host == IntPtr.Zero)
        {
            LibrdkafkaNative.rd_kafka_conf_destroy(conf); // rd_kafka_new owns conf only on success
            throw new InvalidOperationException("librdkafka could not create the mock cluster host instance: " + CString(errstr));
        }

        var cluster = LibrdkafkaNative.rd_kafka_mock_cluster_new(host, brokers);
        if (cluster == IntPtr.Zero)
        {
            LibrdkafkaNative.rd_kafka_destroy(host);
            throw new InvalidOperationException($"librdkafka could not create a mock cluster with {brokers} brokers (no loopback listener?).");
        }

        var handle = new MockClusterHandle(cluster, host);
        var bootstraps = Marshal.PtrToStringUTF8(LibrdkafkaNative.rd_kafka_mock_cluster_bootstraps(handle));
        if (string.IsNullOrEmpty(bootstraps))
        {
            handle.Dispose();
            throw new InvalidOperationException("The librdkafka mock cluster reported no bootstrap servers.");
        }

        return new KafkaMockCluster(handle, brokers, bootstraps);
    }

    /// <summary>Creates a topic on the mock brokers, partition leaders spread over the brokers.</summary>
    /// <param name="topic">Topic name.</param>
    /// <param name="partitions">Number of partitions, at least 1.</param>
    /// <param name="replicationFactor">Replicas per partition, 1 to <see cref="Brokers"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="topic"/> is null or empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A count is out of range.</exception>
    /// <exception cref="KafkaException">The mock refused the topic (e.g. it already exists); the message names the topic and the librdkafka error.</exception>
    /// <exception cref="ObjectDisposedException">The cluster was disposed.</exception>
    public void CreateTopic(string topic, int partitions, int replicationFactor = 1)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(replicationFactor, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(replicationFactor, Brokers);
        ThrowIfDisposed();
        var err = LibrdkafkaNative.rd_kafka_mock_topic_create(_handle, topic, partitions, replicationFactor);
        ThrowOnError(err, $"create topic '{topic}' ({partitions} partitions, replication factor {replicationFactor})");
    }

    /// <summary>
    /// Takes a broker down: it drops its connections and refuses new ones. Partition leadership does not
    /// move, so partitions it leads become unavailable until <see cref="SetBrokerUp"/>.
    /// </summary>
    /// <param name="brokerId">Broker id, 1 to <see cref="Brokers"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="brokerId"/> is not a broker of this cluster.</exception>
    /// <exception cref="KafkaException">The mock refused the change.</exception>
    /// <exception cref="ObjectDisposedException">The cluster was disposed.</exception>
    public void SetBrokerDown(int brokerId)
    {
        CheckBroker(brokerId);
        ThrowOnError(LibrdkafkaNative.rd_kafka_mock_broker_set_down(_handle, brokerId), $"set broker {brokerId} down");
    }

    /// <summary>Lets a broker accept connections again.</summary>
    /// <param name="brokerId">Broker id, 1 to <see cref="Brokers"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="brokerId"/> is not a broker of this cluster.</exception>
    /// <exception cref="KafkaException">The mock refused the change.</exception>
    /// <exception cref="ObjectDisposedException">The cluster was disposed.</exception>
    public void SetBrokerUp(int brokerId)
    {
        CheckBroker(brokerId);
        ThrowOnError(LibrdkafkaNative.rd_kafka_mock_broker_set_up(_handle, brokerId), $"set broker {brokerId} up");
    }

    /// <summary>Takes every broker down (see <see cref="SetBrokerDown"/>).</summary>
    /// <exception cref="KafkaException">The mock refused the change.</exception>
    /// <exception cref="ObjectDisposedException">The cluster was disposed.</exception>
    public void SetAllBrokersDown()
    {
        ThrowIfDisposed();
        ThrowOnError(LibrdkafkaNative.rd_kafka_mock_broker_set_down(_handle, AllBrokers), "set all brokers down");
    }

    /// <summary>Lets every broker accept connections again.</summary>
    /// <exception cref="KafkaException">The mock refused the change.</exception>
    /// <exception cref="ObjectDisposedException">The cluster was disposed.</exception>
    public void SetAllBrokersUp()
    {
        ThrowIfDisposed();
        ThrowOnError(LibrdkafkaNative.rd_kafka_mock_broker_set_up(_handle, AllBrokers), "set all brokers up");
    }

    /// <summary>
    /// Delays every response of a broker by <paramref name="rtt"/> (millisecond resolution);
    /// <see cref="TimeSpan.Zero"/> removes the delay.
    /// </summary>
    /// <param name="brokerId">Broker id, 1 to <see cref="Brokers"/>.</param>
    /// <param name="rtt">Added round-trip time, 0 to <see cref="int.MaxValue"/> milliseconds.</param>
    /// <exception cref="ArgumentOutOfRangeException">The broker id or the delay is out of range.</exception>
    /// <exception cref="KafkaException">The mock refused the change.</exception>
    /// <exception cref="ObjectDisposedException">The cluster was disposed.</exception>
    public void SetBrokerRtt(int brokerId, TimeSpan rtt)
    {
        CheckBroker(brokerId);
        var ms = Milliseconds(rtt, nameof(rtt));
        ThrowOnError(LibrdkafkaNative.rd_kafka_mock_broker_set_rtt(_handle, brokerId, ms), $"set broker {brokerId} RTT to {ms} ms");
    }

    /// <summary>
    /// Makes the next <c>errors.Length</c> requests of type <paramref name="api"/>, to any broker, fail
    /// with the given errors, in order. <see cref="ErrorCode.Local_Transport"/> makes the broker drop the
    /// connection instead of answering.
    /// </summary>
    /// <param name="api">The request type to fail.</param>
    /// <param name="errors">Errors to answer with; Confluent.Kafka's codes equal librdkafka's.</param>
    /// <exception cref="ArgumentNullException"><paramref name="errors"/> is null.</exception>
    /// <exception cref="ObjectDisposedException">The cluster was disposed.</exception>
    public void PushRequestErrors(KafkaApiKey api, params ErrorCode[] errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        ThrowIfDisposed();
        if (errors.Length == 0)
        {
            return;
        }

        var codes = new int[errors.Length];
        for (var i = 0; i < errors.Length; i++)
        {
            codes[i] = (int)errors[i];
        }

        LibrdkafkaNative.rd_kafka_mock_push_request_errors_array(_handle, (short)api, (nuint)codes.Length, codes);
    }

    /// <summary>Drops the errors still queued by <see cref="PushRequestErrors"/> for <paramref name="api"/>.</summary>
    /// <param name="api">The request type.</param>
    /// <exception cref="ObjectDisposedException">The cluster was disposed.</exception>
    public void ClearRequestErrors(KafkaApiKey api)
    {
        ThrowIfDisposed();
        LibrdkafkaNative.rd_kafka_mock_clear_request_errors(_handle, (short)api);
    }

    /// <summary>
    /// Makes <paramref name="brokerId"/> the coordinator of consumer group <paramref name="groupId"/>
    /// (otherwise chosen by hashing the group id).
    /// </summary>
    /// <param name="groupId">The consumer group id.</param>
    /// <param name="brokerId">Broker id, 1 to <see cref="Brokers"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="groupId"/> is null or empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="brokerId"/> is not a broker of this cluster.</exception>
    /// <exception cref="KafkaException">The mock refused the change.</exception>
    /// <exception cref="ObjectDisposedException">The cluster was disposed.</exception>
    public void SetGroupCoordinator(string groupId, int brokerId)
    {
        ArgumentException.ThrowIfNullOrEmpty(groupId);
        CheckBroker(brokerId);
        ThrowOnError(LibrdkafkaNative.rd_kafka_mock_coordinator_set(_handle, "group", groupId, brokerId), $"set the coordinator of group '{groupId}' to broker {brokerId}");
    }

    /// <summary>Makes <paramref name="brokerId"/> the coordinator of transactional id <paramref name="transactionalId"/>.</summary>
    /// <param name="transactionalId">The producer's <c>transactional.id</c>.</param>
    /// <param name="brokerId">Broker id, 1 to <see cref="Brokers"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="transactionalId"/> is null or empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="brokerId"/> is not a broker of this cluster.</exception>
    /// <exception cref="KafkaException">The mock refused the change.</exception>
    /// <exception cref="ObjectDisposedException">The cluster was disposed.</exception>
    public void SetTransactionCoordinator(string transactionalId, int brokerId)
    {
        ArgumentException.ThrowIfNullOrEmpty(transactionalId);
        CheckBroker(brokerId);
        ThrowOnError(LibrdkafkaNative.rd_kafka_mock_coordinator_set(_handle, "transaction", transactionalId, brokerId), $"set the coordinator of transactional id '{transactionalId}' to broker {brokerId}");
    }

    /// <summary>
    /// Moves the leadership of a partition to <paramref name="brokerId"/>, or makes it leaderless with -1.
    /// Creates the topic if it does not exist.
    /// </summary>
    /// <param name="topic">Topic name.</param>
    /// <param name="partition">Partition number.</param>
    /// <param name="brokerId">Broker id, 1 to <see cref="Brokers"/>, or -1 for no leader.</param>
    /// <exception cref="ArgumentException"><paramref name="topic"/> is null or empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The partition or the broker id is out of range.</exception>
    /// <exception cref="KafkaException">The mock refused the change; the message names topic and partition.</exception>
    /// <exception cref="ObjectDisposedException">The cluster was disposed.</exception>
    public void SetPartitionLeader(string topic, int partition, int brokerId)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        ArgumentOutOfRangeException.ThrowIfNegative(partition);
        if (brokerId != -1)
        {
            CheckBroker(brokerId);
        }

        ThrowIfDisposed();
        ThrowOnError(
            LibrdkafkaNative.rd_kafka_mock_partition_set_leader(_handle, topic, partition, brokerId),
            $"set the leader of '{topic}' [{partition}] to broker {brokerId}");
    }

    /// <summary>
    /// Makes Metadata (and AddPartitionsToTxn) requests report <paramref name="error"/> for
    /// <paramref name="topic"/>; <see cref="ErrorCode.NoError"/> clears it.
    /// </summary>
    /// <param name="topic">Topic name.</param>
    /// <param name="error">Error to report.</param>
    /// <exception cref="ArgumentException"><paramref name="topic"/> is null or empty.</exception>
    /// <exception cref="ObjectDisposedException">The cluster was disposed.</exception>
    public void SetTopicError(string topic, ErrorCode error)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        ThrowIfDisposed();
        LibrdkafkaNative.rd_kafka_mock_topic_set_error(_handle, topic, (int)error);
    }

    /// <summary>
    /// Sets the brokers' <c>group.initial.rebalance.delay.ms</c>: how long a new (empty) consumer group
    /// waits for more members before its first rebalance. The mock's default is 3 seconds, Kafka's too;
    /// <see cref="TimeSpan.Zero"/> makes group joins in tests fast.
    /// </summary>
    /// <param name="delay">The delay, 0 to <see cref="int.MaxValue"/> milliseconds.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="delay"/> is out of range.</exception>
    /// <exception cref="ObjectDisposedException">The cluster was disposed.</exception>
    public void SetGroupInitialRebalanceDelay(TimeSpan delay)
    {
        var ms = Milliseconds(delay, nameof(delay));
        ThrowIfDisposed();
        LibrdkafkaNative.rd_kafka_mock_group_initial_rebalance_delay_ms(_handle, ms);
    }

    /// <summary>Stops the brokers and frees the native cluster. Idempotent; clients still connected see the connections close.</summary>
    public void Dispose() => _handle.Dispose();

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_handle.IsClosed, this);

    private void CheckBroker(int brokerId)
    {
        if (brokerId < 1 || brokerId > Brokers)
        {
            throw new ArgumentOutOfRangeException(nameof(brokerId), brokerId, $"Broker ids of this mock cluster are 1 to {Brokers}.");
        }

        ThrowIfDisposed();
    }

    private static int Milliseconds(TimeSpan value, string name)
    {
        if (value < TimeSpan.Zero || value.TotalMilliseconds > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(name, value, "Expected 0 to int.MaxValue milliseconds.");
        }

        return (int)value.TotalMilliseconds;
    }

    private static void ThrowOnError(int err, string what)
    {
        if (err == 0)
        {
            return;
        }

        var code = (ErrorCode)err;
        throw new KafkaException(new Error(code, $"Mock cluster could not {what}: {code} ({new Error(code).Reason})."));
    }

    private static string CString(byte[] buffer)
    {
        var end = Array.IndexOf(buffer, (byte)0);
        return Encoding.UTF8.GetString(buffer, 0, end < 0 ? buffer.Length : end);
    }
}
