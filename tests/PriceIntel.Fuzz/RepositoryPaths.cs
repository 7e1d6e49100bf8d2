namespace PriceIntel.Fuzz;

/// <summary>Where the corpora, regressions and findings live in the source tree.</summary>
public static class RepositoryPaths
{
    /// <summary>The fuzz project's folder in the source tree (found by walking up to PriceIntel.sln).</summary>
    public static string FuzzRoot { get; } = Find();

    /// <summary>Checked-in seeds: <c>corpus/&lt;target&gt;/*</c>.</summary>
    public static string Corpus(string target) => Path.Combine(FuzzRoot, "corpus", target);

    /// <summary>Checked-in inputs that once broke a contract: <c>regressions/&lt;target&gt;/*</c>.</summary>
    public static string Regressions(string target) => Path.Combine(FuzzRoot, "regressions", target);

    /// <summary>New findings of a run (git-ignored until a person moves them to regressions).</summary>
    public static string Findings(string target) => Path.Combine(FuzzRoot, "findings", target);

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "PriceIntel.sln")))
            {
                return Path.Combine(dir.FullName, "tests", "PriceIntel.Fuzz");
            }
        }

        throw new DirectoryNotFoundException($"PriceIntel.sln not found above {AppContext.BaseDirectory}: run the fuzzer from the repository.");
    }

    /// <summary>Every input file of a folder (not the <c>.why</c> notes beside findings), sorted by name; none when the folder is missing.</summary>
    public static IEnumerable<(string Path, byte[] Bytes)> Files(string folder) =>
        Directory.Exists(folder)
            ? Directory.EnumerateFiles(folder)
                .Where(f => !f.EndsWith(".why", StringComparison.Ordinal) && !Path.GetFileName(f).StartsWith('.'))
                .Order(StringComparer.Ordinal)
                .Select(f => (f, File.ReadAllBytes(f)))
            : [];
}
