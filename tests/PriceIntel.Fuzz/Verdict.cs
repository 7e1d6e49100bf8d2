using System.Diagnostics;

namespace PriceIntel.Fuzz;

/// <summary>What one input did to a target, judged against its contract.</summary>
public readonly record struct Verdict(string? Kind, string Detail)
{
    /// <summary>True when the input kept the contract.</summary>
    public bool Ok => Kind is null;

    /// <summary>Runs one input through a target and judges it: crash (an exception outside the contract), slow, or alloc.</summary>
    public static Verdict Judge(FuzzTarget target, byte[] input)
    {
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();
        try
        {
            target.Run(input);
        }
        catch (Exception ex) when (target.IsAllowed(ex))
        {
        }
        catch (Exception ex)
        {
            return new Verdict("crash", ex.InnerException is null ? $"{ex.GetType().FullName}: {ex.Message}\n{ex.StackTrace}" : $"{ex.GetType().FullName}: {ex.Message} ---> {ex.InnerException.GetType().FullName}: {ex.InnerException.Message}\n{ex.StackTrace}\n--- inner:\n{ex.InnerException.StackTrace}");
        }

        var elapsed = clock.Elapsed;
        var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        if (elapsed > target.TimeBudget)
        {
            return new Verdict("slow", $"{elapsed.TotalMilliseconds:F0} ms for {input.Length} bytes (budget {target.TimeBudget.TotalMilliseconds:F0} ms)");
        }

        var budget = target.AllocationBudget(input.Length);
        return allocated > budget
            ? new Verdict("alloc", $"{allocated:N0} bytes allocated for {input.Length} bytes of input (budget {budget:N0})")
            : default;
    }

    /// <summary>A short key for de-duplicating findings: the kind and, for crashes, the exception type and the throwing frame.</summary>
    public string Signature()
    {
        if (Kind != "crash")
        {
            return Kind ?? "ok";
        }

        var lines = Detail.Split('\n');
        var frame = lines.Skip(1).FirstOrDefault(l => l.Contains("PriceIntel", StringComparison.Ordinal)) ?? lines.ElementAtOrDefault(1) ?? "";
        return lines[0].Split(':')[0] + " " + frame.Trim();
    }
}
