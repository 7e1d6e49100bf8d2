namespace PriceIntel.Fuzz.Tests;

/// <summary>
/// Every checked-in corpus and regression input of every fuzz target, run once through the target's
/// contract (allowed exceptions, time and allocation budgets). A regression input is one the fuzzer
/// once found breaking a contract: this keeps each fixed defect fixed.
/// </summary>
public sealed class ReplayTests
{
    public static TheoryData<string, string> Inputs()
    {
        var data = new TheoryData<string, string>();
        foreach (var target in FuzzTargets.All)
        {
            foreach (var folder in (string[])[RepositoryPaths.Corpus(target.Name), RepositoryPaths.Regressions(target.Name)])
            {
                foreach (var (path, _) in RepositoryPaths.Files(folder))
                {
                    data.Add(target.Name, Path.GetRelativePath(RepositoryPaths.FuzzRoot, path));
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public void Input_keeps_the_targets_contract(string target, string file)
    {
        var fuzzTarget = FuzzTargets.ByName(target);
        var input = File.ReadAllBytes(Path.Combine(RepositoryPaths.FuzzRoot, file));
        _ = Verdict.Judge(fuzzTarget, input); // warm-up: static initialisation and JIT are not the input's cost
        var verdict = Verdict.Judge(fuzzTarget, input);
        Assert.True(verdict.Ok, $"{target} {file}: {verdict.Kind}: {verdict.Detail}");
    }

    [Fact]
    public void Every_target_has_seeds()
    {
        foreach (var target in FuzzTargets.All)
        {
            Assert.True(Corpus.Load(target).Any(i => i.Length > 0), $"no seeds for {target.Name}");
        }
    }

    [Fact]
    public void The_mutator_and_the_judge_find_a_planted_defect()
    {
        // A target that crashes on any input holding a byte 0x7F: a short run must find and save it.
        var found = Verdict.Judge(new PlantedDefect(), [1, 2, 0x7F]);
        Assert.Equal("crash", found.Kind);
        Assert.True(Verdict.Judge(new PlantedDefect(), [1, 2, 3]).Ok);
    }

    private sealed class PlantedDefect : FuzzTarget
    {
        public override string Name => "planted";

        public override void Run(byte[] input)
        {
            if (input.Contains((byte)0x7F))
            {
#pragma warning disable CA2201 // the planted defect throws what a real out-of-bounds bug would
                throw new IndexOutOfRangeException("planted");
#pragma warning restore CA2201
            }
        }
    }
}

public sealed class MutatorTests
{
    [Fact]
    public void Mutations_reach_bytes_the_seed_does_not_have_and_stay_within_the_size_limit()
    {
        var mutator = new Mutator(new Random(5), [], maxBytes: 256);
        var seed = new byte[] { (byte)'a', (byte)'b', (byte)'c' };
        var reached = false;
        for (var i = 0; i < 10_000 && !reached; i++)
        {
            var input = mutator.Mutate(seed, [seed]);
            Assert.True(input.Length <= 256);
            reached = input.Contains((byte)0x7F);
        }

        Assert.True(reached, "10,000 mutations never produced the byte 0x7F");
    }

    [Fact]
    public void The_same_seed_gives_the_same_mutations()
    {
        byte[] seed = "{\"price\":19.99}"u8.ToArray();
        var a = new Mutator(new Random(9), [], 1024);
        var b = new Mutator(new Random(9), [], 1024);
        for (var i = 0; i < 100; i++)
        {
            Assert.Equal(a.Mutate(seed, [seed]), b.Mutate(seed, [seed]));
        }
    }
}
