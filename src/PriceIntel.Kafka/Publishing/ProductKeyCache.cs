using System.Text;

namespace PriceIntel.Kafka.Publishing;

/// <summary>
/// Per product id: the product key's UTF-8 bytes (the Kafka message key) and, when a partition count is
/// given, its partition — computed once per product and then reused, so messages share one key array per
/// product. Used by the publisher, the processor's outputs and the output sink. One writer thread.
/// </summary>
internal sealed class ProductKeyCache
{
    private readonly KeyTable _products;
    private byte[]?[] _utf8 = new byte[]?[64];
    private int[] _partitions = new int[64];

    /// <param name="products">The key table the ids come from.</param>
    /// <param name="partitionCount">Partitions of the input topics; 0 when only the key bytes are wanted.</param>
    public ProductKeyCache(KeyTable products, int partitionCount = 0)
    {
        ArgumentNullException.ThrowIfNull(products);
        ArgumentOutOfRangeException.ThrowIfNegative(partitionCount);
        _products = products;
        PartitionCount = partitionCount;
    }

    /// <summary>The key table the ids come from.</summary>
    public KeyTable Products => _products;

    /// <summary>Partitions of every input topic (0: partitions not computed).</summary>
    public int PartitionCount { get; }

    /// <summary>The product key as UTF-8; the array is shared, do not change it.</summary>
    /// <exception cref="ArgumentOutOfRangeException">No product has that id.</exception>
    public byte[] Utf8(int productId) => Fill(productId);

    /// <summary>The partition of the product on every input topic.</summary>
    /// <exception cref="ArgumentOutOfRangeException">No product has that id.</exception>
    /// <exception cref="InvalidOperationException">The cache was made without a partition count.</exception>
    public int Partition(int productId)
    {
        if (PartitionCount == 0)
        {
            throw new InvalidOperationException("This product key cache was created without a partition count.");
        }

        Fill(productId);
        return _partitions[productId];
    }

    private byte[] Fill(int productId)
    {
        if ((uint)productId < (uint)_utf8.Length && _utf8[productId] is { } known)
        {
            return known;
        }

        return FillSlow(productId);
    }

    private byte[] FillSlow(int productId)
    {
        var name = _products.GetName(productId); // throws for an unknown id
        if (productId >= _utf8.Length)
        {
            int size = Math.Max(Math.Max(_utf8.Length * 2, productId + 1), _products.Count);
            Array.Resize(ref _utf8, size);
            Array.Resize(ref _partitions, size);
        }

        var bytes = Encoding.UTF8.GetBytes(name);
        if (PartitionCount > 0)
        {
            _partitions[productId] = KafkaPartitioner.Partition(bytes, PartitionCount);
        }

        _utf8[productId] = bytes;
        return bytes;
    }
}
