using System.Runtime.CompilerServices;

namespace PriceIntel.Engine.Core;

/// <summary>
/// Builds output ids that are the same for the same input in every process and every replay:
/// a 64-bit mix of stable key hashes (<see cref="KeyTable.GetStableHash"/>), kinds and event times.
/// Never built from process-local interned ids.
/// </summary>
internal static class DeterministicId
{
    private const ulong Prime1 = 0x9E3779B185EBCA87UL;
    private const ulong Prime2 = 0xC2B2AE3D27D4EB4FUL;

    /// <summary>Mixes one more value into <paramref name="hash"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Mix(ulong hash, ulong value)
    {
        hash ^= value * Prime2;
        hash = BitRotate(hash, 31) * Prime1;
        return hash;
    }

    /// <summary>Final avalanche so nearby inputs give unrelated ids.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Finish(ulong hash)
    {
        hash ^= hash >> 33;
        hash *= 0xFF51AFD7ED558CCDUL;
        hash ^= hash >> 33;
        hash *= 0xC4CEB9FE1A85EC53UL;
        hash ^= hash >> 33;
        return hash;
    }

    /// <summary>An id from up to four values.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Of(ulong a, ulong b, ulong c = 0, ulong d = 0) =>
        Finish(Mix(Mix(Mix(Mix(Prime1, a), b), c), d));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong BitRotate(ulong value, int offset) => (value << offset) | (value >> (64 - offset));
}
