using System.Diagnostics;
using System.Reflection;

namespace PriceIntel.Hosting.Tests;

/// <summary>
/// The console demo run as a user runs it (a child process): file and directory errors are one <c>error:</c>
/// line naming the path, the option and the reason, with exit code 1, and no stack trace.
/// </summary>
public sealed class ConsoleDemoCliTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"priceintel-cli-{Guid.NewGuid():N}");

    public ConsoleDemoCliTests()
    {
        Directory.CreateDirectory(_directory);
        // An empty configuration: the engine's defaults, whatever config/config.yaml holds.
        File.WriteAllText(Path.Combine(_directory, "empty.yaml"), "# CLI test: engine defaults\n");
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [ProcFileSystemFact]
    public void An_out_directory_that_the_file_system_refuses_is_named_with_the_reason()
    {
        string target = $"/proc/priceintel-test-{Guid.NewGuid():N}";
        var run = Run("--out", target);
        Assert.Equal(1, run.ExitCode);
        Assert.Equal($"error: cannot create directory '{target}' (--out): the file system at '/proc' does not allow creating it (a virtual or read-only file system?)", run.ErrorLine);
    }

    [Fact]
    public void An_out_directory_that_is_a_file_is_named_with_the_reason()
    {
        string file = Path.Combine(_directory, "taken");
        File.WriteAllText(file, "not a directory");
        var run = Run("--out", file);
        Assert.Equal(1, run.ExitCode);
        Assert.Equal($"error: cannot create directory '{file}' (--out): a file of that name exists", run.ErrorLine);
    }

    [Fact]
    public void An_out_directory_below_a_file_names_the_file_in_the_way()
    {
        string file = Path.Combine(_directory, "taken");
        File.WriteAllText(file, "not a directory");
        string target = Path.Combine(file, "run");
        var run = Run("--out", target);
        Assert.Equal(1, run.ExitCode);
        Assert.Equal($"error: cannot create directory '{target}' (--out): '{file}' is a file, not a directory", run.ErrorLine);
    }

    [Fact]
    public void A_record_file_that_cannot_be_created_is_named_with_the_option_and_the_store_is_not_written()
    {
        string file = Path.Combine(_directory, "taken");
        File.WriteAllText(file, "not a directory");
        string record = Path.Combine(file, "events.jsonl");
        var run = Run("--out", Path.Combine(_directory, "out"), "--record", record);
        Assert.Equal(1, run.ExitCode);
        Assert.Equal($"error: cannot create file '{record}' (--record): '{file}' is a file, not a directory", run.ErrorLine);
    }

    [Theory]
    [InlineData("--buckets", "Week", "--buckets must be one of Minute, Hour, Day; got 'Week'")]
    [InlineData("--buckets", "1", "--buckets must be one of Minute, Hour, Day; got '1'")]
    [InlineData("--kind", "drop", "--kind must be one of CompetitorPriceDrop, DemandSurge, LowInventory, PriceAnomaly; got 'drop'")]
    public void A_query_option_with_an_unknown_name_lists_the_accepted_names(string option, string value, string expected)
    {
        var run = RunCommand(["query", "SKU-000001", option, value, "--store", Path.Combine(_directory, "none.db")]);
        Assert.Equal(2, run.ExitCode);
        Assert.Equal($"error: {expected}", run.ErrorLine);
    }

    [Fact]
    public void A_config_path_that_is_a_directory_says_so()
    {
        var run = RunCommand(["--config", _directory, "--products", "10"]);
        Assert.Equal(2, run.ExitCode);
        Assert.Equal($"error: --config: '{_directory}' is a directory; give a file", run.ErrorLine);
    }

    [Fact]
    public void A_store_setting_that_is_unknown_is_one_line_naming_the_key_once()
    {
        string config = Path.Combine(_directory, "typo.yaml");
        File.WriteAllText(config, "database:\n  sqlite:\n    journal_mod: WAL\n");
        var run = RunCommand(["--config", config, "--products", "10", "--days", "0.05", "--quiet", "--out", Path.Combine(_directory, "out")]);
        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith("error: configuration database:sqlite:JournalMod = 'WAL': unknown key (known: ", run.ErrorLine, StringComparison.Ordinal);
        Assert.DoesNotContain("(Parameter", run.ErrorLine, StringComparison.Ordinal);
    }

    [Fact]
    public void Help_states_the_mock_cluster_partition_default_the_demo_uses()
    {
        var run = RunCommand(["--help"]);
        Assert.Equal(0, run.ExitCode);
        string help = System.Text.RegularExpressions.Regex.Replace(run.StandardOutput, @"\s+", " ");
        Assert.Contains("--kafka mock: partitions per topic (default 12)", help, StringComparison.Ordinal);
        Assert.Contains("`--partitions 12`", File.ReadAllText(Path.Combine(RepositoryRoot(), "README.md")), StringComparison.Ordinal);
    }

    private (int ExitCode, string ErrorLine, string StandardError, string StandardOutput) Run(params string[] arguments) =>
        RunCommand(["--config", Path.Combine(_directory, "empty.yaml"), "--products", "10", "--days", "0.05", "--quiet", .. arguments]);

    private (int ExitCode, string ErrorLine, string StandardError, string StandardOutput) RunCommand(string[] arguments)
    {
        var start = new ProcessStartInfo(DotnetHost())
        {
            WorkingDirectory = _directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(ConsoleDemoDll());
        foreach (var a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        string stderr = process.StandardError.ReadToEnd();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(2)), "the console demo did not exit within 2 minutes");
        string output = stdout.Result;
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal); // no stack trace
        return (process.ExitCode, lines.FirstOrDefault() ?? string.Empty, stderr, output);
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "PriceIntel.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException($"PriceIntel.sln not found above {AppContext.BaseDirectory}");
    }

    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host)
            ? host
            : Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";

    /// <summary>Where the console demo of this build's configuration is (the test project builds it).</summary>
    internal static string ConsoleDemoDll()
    {
        string relative = typeof(ConsoleDemoCliTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "ConsoleDemoOutput").Value!;
        string path = Path.Combine(RepositoryRoot(), relative);
        return File.Exists(path) ? path : throw new FileNotFoundException($"The console demo is not built at {path}; build the test project in the same configuration first.", path);
    }
}

/// <summary>A test that needs Linux's /proc, where mkdir fails with ENOENT (what .NET reports as "Could not find file"); skipped, saying so, elsewhere.</summary>
public sealed class ProcFileSystemFactAttribute : FactAttribute
{
    public ProcFileSystemFactAttribute()
    {
        if (!Directory.Exists("/proc/self"))
        {
            Skip = "Skipped: no /proc file system on this machine (the test creates a directory under /proc, which Linux refuses).";
        }
    }
}
