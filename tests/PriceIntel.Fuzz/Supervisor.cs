using System.Diagnostics;
using System.IO.MemoryMappedFiles;

namespace PriceIntel.Fuzz;

/// <summary>
/// Runs each target in a child process (the same executable in worker mode) so an input that kills the
/// process — a stack overflow cannot be caught in .NET — is still kept: the child maps the current input
/// to a file before running it, and when the child dies the supervisor saves that input as a finding and
/// starts a new child with another seed for the rest of the run.
/// </summary>
internal static class Supervisor
{
    public static int Run(IReadOnlyList<FuzzTarget> targets, int seed, long iterations, TimeSpan perTarget, string failOn, TextWriter log)
    {
        var total = 0;
        foreach (var target in targets)
        {
            var deadline = DateTime.UtcNow + perTarget;
            var restarts = 0;
            while (true)
            {
                var current = Path.Combine(Path.GetTempPath(), $"priceintel-fuzz-{Environment.ProcessId}-{target.Name}.cur");
                var exit = RunChild(target.Name, seed + (1_000_003 * restarts), iterations, deadline, current, failOn, log);
                if (exit is FuzzWorker.ExitClean or FuzzWorker.ExitFindings)
                {
                    total += exit == FuzzWorker.ExitFindings ? 1 : 0;
                    File.Delete(current);
                    break;
                }

                total++;
                var input = ReadCurrent(current);
                var kind = exit == FuzzWorker.ExitHang ? "hang" : "crash";
                var path = Findings.Save(target.Name, kind, input, $"the worker process ended with exit code {exit} while running this input (a hang, a stack overflow or a fail-fast)");
                log.WriteLine($"{target.Name}: worker died (exit {exit}); input kept as {path}");
                File.Delete(current);
                if (++restarts > 5 || DateTime.UtcNow >= deadline)
                {
                    break;
                }
            }
        }

        log.WriteLine(total == 0 ? "fuzz: no findings" : $"fuzz: targets with findings: {total} (see tests/PriceIntel.Fuzz/findings)");
        return total == 0 ? 0 : 1;
    }

    private static int RunChild(string target, int seed, long iterations, DateTime deadline, string current, string failOn, TextWriter log)
    {
        var self = Environment.ProcessPath ?? throw new InvalidOperationException("cannot find this executable to start a worker");
        var start = new ProcessStartInfo(self)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (self.EndsWith("dotnet", StringComparison.Ordinal))
        {
            start.ArgumentList.Add(typeof(Supervisor).Assembly.Location);
        }

        foreach (var arg in (string[])["worker", target, seed.ToString(System.Globalization.CultureInfo.InvariantCulture),
                     iterations.ToString(System.Globalization.CultureInfo.InvariantCulture), deadline.ToString("O"), current, failOn])
        {
            start.ArgumentList.Add(arg);
        }

        // A runaway allocation ends in OutOfMemoryException (a finding) instead of eating the machine.
        start.Environment["DOTNET_GCHeapHardLimit"] = "0xC0000000";
        using var child = Process.Start(start)!;
        child.OutputDataReceived += (_, e) => { if (e.Data is not null) { log.WriteLine(e.Data); } };
        child.ErrorDataReceived += (_, e) => { if (e.Data is not null && !e.Data.StartsWith("   at ", StringComparison.Ordinal)) { log.WriteLine("  [worker] " + e.Data); } };
        child.BeginOutputReadLine();
        child.BeginErrorReadLine();
        child.WaitForExit();
        return child.ExitCode;
    }

    private static byte[] ReadCurrent(string path)
    {
        if (!File.Exists(path))
        {
            return [];
        }

        using var map = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        using var view = map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
        var length = view.ReadInt32(0);
        if (length < 0 || length > view.Capacity - 4)
        {
            return [];
        }

        var input = new byte[length];
        view.ReadArray(4, input, 0, length);
        return input;
    }
}
