using System.Diagnostics;

namespace PriceIntel.Dashboard.Tests;

/// <summary>
/// The dashboard sample started as a user starts it (its own process): a store another host holds is one
/// error line and exit code 1, not a stack trace and exit code 134.
/// </summary>
public sealed class DashboardStartupTests
{
    [Fact]
    public async Task A_second_dashboard_on_the_same_store_stops_with_store_in_use_and_exit_code_1()
    {
        await using var first = await DashboardHost.StartAsync();
        string host = Path.Combine(AppContext.BaseDirectory, "PriceIntel.DashboardHost.dll");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { host, $"--Store:Directory={first.StoreDirectory}", "--Urls=http://127.0.0.1:0", "--PriceIntelApi:Engine:Input=None", "--Logging:LogLevel:Default=None" })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("the second dashboard host did not stop: it should refuse the store in use");
        }

        string error = await stderr;
        await stdout;
        Assert.Equal(1, process.ExitCode);
        string store = Path.Combine(first.StoreDirectory, "priceintel.db");
        Assert.Equal($"error: store in use: '{store}' is open in another process (one writer at a time); stop it or choose another store path", error.TrimEnd());
    }
}
