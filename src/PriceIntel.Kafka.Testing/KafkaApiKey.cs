namespace PriceIntel.Kafka.Testing;

/// <summary>
/// Kafka protocol request types (API keys) a client sends, for fault injection on
/// <see cref="KafkaMockCluster"/>. The values are the wire protocol's own numbers.
/// </summary>
#pragma warning disable CA1028 // The protocol defines the key as a 16-bit integer; the enum matches it.
public enum KafkaApiKey : short
#pragma warning restore CA1028
{
    /// <summary>ProduceRequest: producers writing records.</summary>
    Produce = 0,

    /// <summary>FetchRequest: consumers reading records.</summary>
    Fetch = 1,

    /// <summary>ListOffsetsRequest: offset lookups by time, earliest or latest.</summary>
    ListOffsets = 2,

    /// <summary>MetadataRequest: brokers, topics, partitions and leaders.</summary>
    Metadata = 3,

    /// <summary>OffsetCommitRequest: consumer group offset commits.</summary>
    OffsetCommit = 8,

    /// <summary>OffsetFetchRequest: reading committed offsets.</summary>
    OffsetFetch = 9,

    /// <summary>FindCoordinatorRequest: locating the group or transaction coordinator.</summary>
    FindCoordinator = 10,

    /// <summary>JoinGroupRequest: a member joining a (classic protocol) consumer group.</summary>
    JoinGroup = 11,

    /// <summary>HeartbeatRequest: group members keeping their session alive.</summary>
    Heartbeat = 12,

    /// <summary>LeaveGroupRequest: a member leaving its group.</summary>
    LeaveGroup = 13,

    /// <summary>SyncGroupRequest: distributing the partition assignment.</summary>
    SyncGroup = 14,

    /// <summary>DescribeGroupsRequest.</summary>
    DescribeGroups = 15,

    /// <summary>ListGroupsRequest.</summary>
    ListGroups = 16,

    /// <summary>ApiVersionsRequest: the first request on every connection.</summary>
    ApiVersions = 18,

    /// <summary>CreateTopicsRequest.</summary>
    CreateTopics = 19,

    /// <summary>DeleteTopicsRequest.</summary>
    DeleteTopics = 20,

    /// <summary>DeleteRecordsRequest.</summary>
    DeleteRecords = 21,

    /// <summary>InitProducerIdRequest: idempotent and transactional producers obtaining their id.</summary>
    InitProducerId = 22,

    /// <summary>OffsetForLeaderEpochRequest: consumers validating their position after a leader change.</summary>
    OffsetForLeaderEpoch = 23,

    /// <summary>AddPartitionsToTxnRequest.</summary>
    AddPartitionsToTxn = 24,

    /// <summary>AddOffsetsToTxnRequest.</summary>
    AddOffsetsToTxn = 25,

    /// <summary>EndTxnRequest: commit or abort of a transaction.</summary>
    EndTxn = 26,

    /// <summary>TxnOffsetCommitRequest: offsets committed inside a transaction.</summary>
    TxnOffsetCommit = 28,

    /// <summary>DescribeConfigsRequest.</summary>
    DescribeConfigs = 32,

    /// <summary>ConsumerGroupHeartbeatRequest: the KIP-848 (<c>group.protocol=consumer</c>) group protocol.</summary>
    ConsumerGroupHeartbeat = 68,
}
