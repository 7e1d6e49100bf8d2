using System.Text;
using Confluent.Kafka;

namespace PriceIntel.Kafka.Processing;

/// <summary>
/// Where a dead letter came from and what its payload was: the headers every dead letter carries, kept so
/// that a dead letter Kafka refuses for good can be replaced by a summary with the same origin.
/// </summary>
/// <param name="SourceTopic">The input topic (or, for a refused output, the output topic).</param>
/// <param name="SourcePartition">The input partition (-1 for a refused output).</param>
/// <param name="Offset">The input offset (-1 for a refused output).</param>
/// <param name="Line">The line within the message (1-based; 0: the whole message).</param>
/// <param name="Reason">Why it was set aside.</param>
/// <param name="Size">The original payload's length in bytes.</param>
/// <param name="Sha256">SHA-256 of the original payload (empty when unknown).</param>
/// <param name="Truncated">Whether the dead letter carries only a prefix of the payload.</param>
internal sealed record DeadLetterOrigin(string SourceTopic, int SourcePartition, long Offset, int Line, string Reason, int Size, byte[] Sha256, bool Truncated)
{
    /// <summary>For a late event: how far (ms) it was behind its partition's newest event time; 0 otherwise.</summary>
    public long LateByMs { get; init; }

    public Headers Headers(string groupId, string error)
    {
        var headers = new Headers
        {
            { OutputProducer.SourceTopicHeader, Encoding.UTF8.GetBytes(SourceTopic) },
            { OutputProducer.SourcePartitionHeader, OutputProducer.Ascii(SourcePartition) },
            { OutputProducer.SourceOffsetHeader, OutputProducer.Ascii(Offset) },
            { OutputProducer.SourceLineHeader, OutputProducer.Ascii(Line) },
            { OutputProducer.ErrorHeader, Encoding.UTF8.GetBytes(error) },
            { OutputProducer.GroupHeader, Encoding.UTF8.GetBytes(groupId) },
            { OutputProducer.PayloadBytesHeader, OutputProducer.Ascii(Size) },
        };
        if (Sha256.Length > 0)
        {
            headers.Add(OutputProducer.PayloadSha256Header, Encoding.ASCII.GetBytes(Convert.ToHexStringLower(Sha256)));
        }

        if (LateByMs > 0)
        {
            headers.Add(OutputProducer.LateByHeader, OutputProducer.Ascii(LateByMs));
        }

        if (Truncated)
        {
            headers.Add(OutputProducer.PayloadTruncatedHeader, "true"u8.ToArray());
        }

        return headers;
    }
}

/// <summary>A message Kafka refused for good (too large, invalid record): replaced by a summary dead letter.</summary>
/// <param name="Topic">The topic it was meant for.</param>
/// <param name="Reason">The error code and reason.</param>
/// <param name="Origin">The dead letter's origin when the refused message was itself a dead letter.</param>
internal sealed record PermanentDeliveryFailure(string Topic, string Reason, DeadLetterOrigin? Origin);
