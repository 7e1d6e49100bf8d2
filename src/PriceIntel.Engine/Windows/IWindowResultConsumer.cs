namespace PriceIntel.Engine.Windows;

/// <summary>
/// Receives the results of each closed window, in window-end order, one call per window that had
/// at least one value. Implement it on a struct and pass it by <c>ref</c>: the aggregator is generic
/// over the consumer type, so the JIT devirtualises and inlines the call.
/// </summary>
internal interface IWindowResultConsumer
{
    /// <summary>
    /// One closed window. <paramref name="results"/> holds one entry per key with values in the window,
    /// keys ascending; the memory is reused after the call returns, so copy what must be kept.
    /// </summary>
    void OnWindowClosed(long windowStart, long windowEnd, ReadOnlySpan<WindowResult> results);
}
