using System.Globalization;

namespace PriceIntel;

/// <summary>
/// How many products one engine can hold in the memory a process may use, so a size that cannot fit is refused
/// with a message before anything is allocated, rather than ending in <see cref="OutOfMemoryException"/>.
/// </summary>
/// <remarks>
/// The estimate is of the state <see cref="MarketEngine.Create"/> preallocates per product (its windows,
/// board, demand windows, pricing state, and room for eight competitor pairs — more when
/// <c>competitorsPerProduct</c> is larger), calibrated against the bytes the engine actually allocates and
/// checked by a test to stay within 10 % of them for several option sets. It grows with
/// <c>Windows:BucketsPerWindow</c> (about 180 B a bucket), <c>Windows:PairWindowMinutes</c> (a pair window of up to
/// 12 buckets, about 44 B a bucket per pair; the anomaly detector keeps a fixed ~100 B per pair): about
/// 12 kB a product with the defaults. An engine that grows past its initial size doubles its arrays, so allow up
/// to twice the estimate while it grows.
/// </remarks>
public static class EngineCapacity
{
    /// <summary>Share of the memory available to the process that the engine's state may take.</summary>
    public const double MemoryShare = 0.8;

    private const long BytesPerProduct = 1_062;
    private const long BytesPerProductBucket = 180;
    private const long BytesPerPair = 300;
    private const long BytesPerPairBucket = 44;
    private const int PairWindowBuckets = 12;
    private const int PreallocatedPairsPerProduct = 8;

    /// <summary>Estimated bytes of engine state per product with these options.</summary>
    /// <param name="options">The engine's options.</param>
    /// <param name="competitorsPerProduct">Competitors observed per product.</param>
    /// <returns>The estimate in bytes.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="competitorsPerProduct"/> is negative.</exception>
    public static long EstimateBytesPerProduct(PriceIntelOptions options, int competitorsPerProduct = PreallocatedPairsPerProduct)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegative(competitorsPerProduct);
        int buckets = options.Windows.BucketsPerWindow;
        long perPair = BytesPerPair
            + (options.Windows.PairWindowMinutes > 0 ? BytesPerPairBucket * Math.Min(PairWindowBuckets, buckets) : 0);
        return BytesPerProduct + (BytesPerProductBucket * buckets) + (Math.Max(PreallocatedPairsPerProduct, competitorsPerProduct) * perPair);
    }

    /// <summary>The most products whose estimated state fits in <see cref="MemoryShare"/> of <paramref name="availableBytes"/>.</summary>
    /// <param name="options">The engine's options.</param>
    /// <param name="competitorsPerProduct">Competitors observed per product.</param>
    /// <param name="availableBytes">Memory the process may use; 0 for the garbage collector's limit (<see cref="GCMemoryInfo.TotalAvailableMemoryBytes"/>: physical memory or the container's limit).</param>
    /// <returns>The number of products, at most <see cref="int.MaxValue"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="competitorsPerProduct"/> or <paramref name="availableBytes"/> is negative.</exception>
    public static int MaxProducts(PriceIntelOptions options, int competitorsPerProduct = PreallocatedPairsPerProduct, long availableBytes = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(availableBytes);
        long perProduct = EstimateBytesPerProduct(options, competitorsPerProduct);
        long available = availableBytes > 0 ? availableBytes : GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        return (int)Math.Min(int.MaxValue, (long)(available * MemoryShare) / perProduct);
    }

    /// <summary>Checks that an engine for <paramref name="products"/> products fits, before anything is allocated.</summary>
    /// <param name="options">The engine's options.</param>
    /// <param name="products">Products the engine is to hold.</param>
    /// <param name="competitorsPerProduct">Competitors observed per product.</param>
    /// <param name="availableBytes">Memory the process may use; 0 for the garbage collector's limit.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="products"/> is negative or does not fit; the message names the count, the estimate, the
    /// memory available and the largest count that fits.
    /// </exception>
    public static void Validate(PriceIntelOptions options, int products, int competitorsPerProduct = PreallocatedPairsPerProduct, long availableBytes = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(products);
        int max = MaxProducts(options, competitorsPerProduct, availableBytes);
        if (products <= max)
        {
            return;
        }

        long perProduct = EstimateBytesPerProduct(options, competitorsPerProduct);
        long available = availableBytes > 0 ? availableBytes : GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        throw new ArgumentOutOfRangeException(
            nameof(products),
            products,
            Invariant($"{products:N0} products × {competitorsPerProduct} competitors need about {Gigabytes(products * perProduct)} of engine state ") +
            Invariant($"({perProduct / 1024.0:F1} kB a product with Windows:BucketsPerWindow = {options.Windows.BucketsPerWindow}, ") +
            Invariant($"Windows:PairWindowMinutes = {options.Windows.PairWindowMinutes}, Anomaly:HistoryLength = {options.Anomaly.HistoryLength}); ") +
            Invariant($"this process may use {Gigabytes(available)}, so one engine holds at most {max:N0} products. ") +
            "Partition the products across engines or processes, or use fewer buckets.");
    }

    private static string Gigabytes(long bytes) => Invariant($"{bytes / (1024.0 * 1024 * 1024):F1} GiB");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
