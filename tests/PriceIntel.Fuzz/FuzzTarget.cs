namespace PriceIntel.Fuzz;

/// <summary>
/// One entry point under test and its contract: what it may throw on bad bytes (anything else is a
/// finding), how long one input may take and how much it may allocate.
/// </summary>
public abstract class FuzzTarget
{
    /// <summary>The target's name: the folder of its corpus and regressions, and the <c>--target</c> value.</summary>
    public abstract string Name { get; }

    /// <summary>Largest input the mutator makes for this target.</summary>
    public virtual int MaxInputBytes => 64 * 1024;

    /// <summary>How long one input may run before it counts as a "slow" finding.</summary>
    public virtual TimeSpan TimeBudget => TimeSpan.FromSeconds(2);

    /// <summary>Bytes one input may allocate on the running thread, given its length.</summary>
    public virtual long AllocationBudget(int inputLength) => 64L * 1024 * 1024 + 200L * inputLength;

    /// <summary>Tokens the mutator splices in (keywords, delimiters of the format).</summary>
    public virtual IReadOnlyList<byte[]> Dictionary => [];

    /// <summary>Seeds made in code, added to the ones in the corpus folder.</summary>
    public virtual IEnumerable<byte[]> BuiltInSeeds() => [];

    /// <summary>Runs one input. Returns normally or throws; <see cref="IsAllowed"/> judges the exception.</summary>
    public abstract void Run(byte[] input);

    /// <summary>Whether an exception is part of the documented contract for bad input.</summary>
    public virtual bool IsAllowed(Exception exception) => false;
}
