using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace PriceIntel.Engine.Core;

/// <summary>
/// Software prefetch of engine state: the engine knows the keys of the next events in its batch, so it
/// asks for their cache lines a few events ahead and the misses overlap instead of stalling one by one.
/// A hint only: a stale address (the GC moved an array) costs a wasted prefetch, never a fault. A no-op
/// where the CPU has no prefetch instruction exposed to .NET.
/// </summary>
internal static class CachePrefetch
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Line<T>(T[] array, int index)
    {
        if (Sse.IsSupported && (uint)index < (uint)array.Length)
        {
            Sse.Prefetch0(Unsafe.AsPointer(ref array[index]));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void TwoLines<T>(T[] array, int index)
    {
        if (Sse.IsSupported && (uint)index < (uint)array.Length)
        {
            byte* p = (byte*)Unsafe.AsPointer(ref array[index]);
            Sse.Prefetch0(p);
            Sse.Prefetch0(p + 64);
        }
    }
}
