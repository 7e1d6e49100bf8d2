using System.Runtime.InteropServices;

namespace PriceIntel.Kafka.Testing;

/// <summary>
/// Owns a native <c>rd_kafka_mock_cluster_t</c> together with the <c>rd_kafka_t</c> that hosts it, and
/// releases them in that order exactly once — on dispose or, if the owner forgot, on finalization.
/// Passing the handle to a P/Invoke adds a reference for the call, so a concurrent dispose waits for
/// calls in flight instead of freeing the cluster under them.
/// </summary>
internal sealed class MockClusterHandle : SafeHandle
{
    private IntPtr _host;

    /// <summary>Creates an empty (invalid) handle; the marshaller needs this constructor.</summary>
    public MockClusterHandle()
        : base(IntPtr.Zero, ownsHandle: true)
    {
    }

    /// <summary>Takes ownership of <paramref name="cluster"/> and of <paramref name="host"/>.</summary>
    internal MockClusterHandle(IntPtr cluster, IntPtr host)
        : base(IntPtr.Zero, ownsHandle: true)
    {
        _host = host;
        SetHandle(cluster);
    }

    /// <inheritdoc />
    public override bool IsInvalid => handle == IntPtr.Zero;

    /// <inheritdoc />
    protected override bool ReleaseHandle()
    {
        // The cluster first: its thread uses the host handle for logging and bookkeeping.
        LibrdkafkaNative.rd_kafka_mock_cluster_destroy(handle);
        if (_host != IntPtr.Zero)
        {
            LibrdkafkaNative.rd_kafka_destroy(_host);
            _host = IntPtr.Zero;
        }

        return true;
    }
}
