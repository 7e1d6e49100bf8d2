using System.Diagnostics;

namespace PriceIntel.Storage.Tests;

/// <summary>Starts the crash-writer child process (tests/PriceIntel.Storage.CrashWriter) with the same dotnet host.</summary>
internal static class ChildProcess
{
    public static Process Start(params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "PriceIntel.Storage.CrashWriter.dll");
        var info = new ProcessStartInfo(Environment.ProcessPath ?? "dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (!Path.GetFileNameWithoutExtension(info.FileName).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            info.FileName = "dotnet";
        }

        info.ArgumentList.Add(dll);
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        return Process.Start(info) ?? throw new InvalidOperationException("could not start the crash writer");
    }

    public static async Task<(int Code, string Output)> RunAsync(params string[] args)
    {
        using var process = Start(args);
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, output.Trim());
    }
}
