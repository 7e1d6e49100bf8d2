using System.Diagnostics;
using System.IO.MemoryMappedFiles;
using System.Security.Cryptography;

namespace PriceIntel.Fuzz;

/// <summary>
/// Runs one target in this process: first every corpus and regression input, then mutated inputs until
/// the iteration count or the deadline is reached. Before each input runs, it is copied into a
/// memory-mapped file, so the supervising process can keep an input that kills the process (stack
/// overflow, fail-fast). A watchdog ends the process with exit code 4 when one input runs far past its budget.
/// </summary>
internal sealed class FuzzWorker(FuzzTarget target, int seed, long iterations, DateTime deadlineUtc, string currentInputPath, IReadOnlySet<string> failOn, TextWriter log)
{
    internal const int ExitClean = 0;
    internal const int ExitFindings = 3;
    internal const int ExitHang = 4;
    private const int PoolLimit = 4_096;

    private readonly HashSet<string> _seen = [];
    private long _startedTicks;
    private int _findings;

    public int Run()
    {
        var corpus = Corpus.Load(target);
        var pool = new List<byte[]>(corpus);
        var random = new Random(seed);
        var mutator = new Mutator(random, target.Dictionary, target.MaxInputBytes);
        var capacity = 4 + Math.Max(target.MaxInputBytes, corpus.Max(c => c.Length));
        using var map = MemoryMappedFile.CreateFromFile(currentInputPath, FileMode.Create, null, capacity);
        using var view = map.CreateViewAccessor();
        using var watchdog = StartWatchdog();

        // Warm-up: first calls pay for static initialisation and JIT, which would read as allocation findings.
        foreach (var input in corpus.Take(4))
        {
            _ = Verdict.Judge(target, input);
        }

        var clock = Stopwatch.StartNew();
        long count = 0;
        foreach (var input in corpus)
        {
            Execute(input, view);
            count++;
        }

        while (count < iterations && DateTime.UtcNow < deadlineUtc)
        {
            var parent = pool[random.Next(pool.Count)];
            var input = mutator.Mutate(parent, pool);
            Execute(input, view);
            count++;
            if (random.Next(8) == 0)
            {
                if (pool.Count < PoolLimit)
                {
                    pool.Add(input);
                }
                else
                {
                    pool[corpus.Count + random.Next(PoolLimit - corpus.Count)] = input;
                }
            }
        }

        log.WriteLine($"{target.Name}: {count:N0} inputs in {clock.Elapsed.TotalSeconds:F1} s ({count / Math.Max(clock.Elapsed.TotalSeconds, 0.001):N0}/s), corpus {corpus.Count}, findings {_findings}");
        return _findings == 0 ? ExitClean : ExitFindings;
    }

    private void Execute(byte[] input, MemoryMappedViewAccessor view)
    {
        view.Write(0, input.Length);
        view.WriteArray(4, input, 0, input.Length);
        Volatile.Write(ref _startedTicks, Stopwatch.GetTimestamp());
        var verdict = Verdict.Judge(target, input);
        if (verdict.Kind is "alloc" or "slow")
        {
            // The first run of a new code path pays for JIT, tier-up and static initialisation: judge it again.
            verdict = Verdict.Judge(target, input);
        }

        Volatile.Write(ref _startedTicks, 0);
        if (!verdict.Ok && _seen.Add(verdict.Signature()))
        {
            _findings += failOn.Contains(verdict.Kind!) ? 1 : 0;
            var path = Findings.Save(target.Name, verdict.Kind!, input, verdict.Detail);
            log.WriteLine($"{target.Name}: {verdict.Kind} -> {path}\n  {verdict.Detail.Split('\n')[0]}");
        }
    }

    private Timer StartWatchdog()
    {
        var limit = TimeSpan.FromTicks(Math.Max(target.TimeBudget.Ticks * 10, TimeSpan.FromSeconds(20).Ticks));
        return new Timer(_ =>
        {
            var started = Volatile.Read(ref _startedTicks);
            if (started != 0 && Stopwatch.GetElapsedTime(started) > limit)
            {
                log.WriteLine($"{target.Name}: one input ran over {limit.TotalSeconds:F0} s; ending the worker as a hang");
                log.Flush();
                Environment.Exit(ExitHang);
            }
        }, null, TimeSpan.FromMilliseconds(250), TimeSpan.FromMilliseconds(250));
    }
}

/// <summary>Loads a target's seeds: built-in ones, the checked-in corpus and every regression input.</summary>
internal static class Corpus
{
    public static List<byte[]> Load(FuzzTarget target)
    {
        var inputs = new List<byte[]>(target.BuiltInSeeds());
        inputs.AddRange(RepositoryPaths.Files(RepositoryPaths.Corpus(target.Name)).Select(f => f.Bytes));
        inputs.AddRange(RepositoryPaths.Files(RepositoryPaths.Regressions(target.Name)).Select(f => f.Bytes));
        if (inputs.Count == 0)
        {
            inputs.Add([]);
        }

        return inputs;
    }
}

/// <summary>Saves findings as <c>findings/&lt;target&gt;/&lt;kind&gt;-&lt;sha&gt;.bin</c> with a <c>.why</c> note beside.</summary>
internal static class Findings
{
    public static string Save(string target, string kind, byte[] input, string detail)
    {
        var folder = RepositoryPaths.Findings(target);
        Directory.CreateDirectory(folder);
        var name = $"{kind}-{Convert.ToHexStringLower(SHA256.HashData(input))[..16]}";
        var path = Path.Combine(folder, name + ".bin");
        File.WriteAllBytes(path, input);
        File.WriteAllText(Path.Combine(folder, name + ".why"), detail + "\n");
        return path;
    }
}
