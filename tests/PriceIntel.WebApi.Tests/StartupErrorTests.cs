using Microsoft.Extensions.Configuration;

namespace PriceIntel.WebApi.Tests;

/// <summary>The sample host's start-up failures a user can fix are one error line and an exit code, never a stack trace (was exit 134).</summary>
public sealed class StartupErrorTests
{
    [Fact]
    public async Task A_second_host_on_the_same_store_stops_at_once_with_store_in_use_and_exit_code_1()
    {
        await using var first = await ApiHost.StartAsync();
        using var error = new StringWriter();
        int exit = await PriceIntel.WebApi.WebApiHost.RunAsync([], error, builder => builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Urls"] = "http://127.0.0.1:0",
            ["Store:Directory"] = first.StoreDirectory,
            ["PriceIntelApi:Engine:Input"] = "None",
            ["Logging:LogLevel:Default"] = "None",
        }));
        Assert.Equal(1, exit);
        string store = Path.Combine(first.StoreDirectory, "priceintel.db");
        Assert.Equal($"error: store in use: '{store}' is open in another process (one writer at a time); stop it or choose another store path{Environment.NewLine}", error.ToString());
    }

    [Fact]
    public async Task A_bad_engine_setting_is_one_line_naming_the_key_with_exit_code_2()
    {
        string directory = Path.Combine(Path.GetTempPath(), "priceintel-webapi-tests", Guid.NewGuid().ToString("N"));
        using var error = new StringWriter();
        int exit = await PriceIntel.WebApi.WebApiHost.RunAsync([], error, builder => builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Urls"] = "http://127.0.0.1:0",
            ["Store:Directory"] = directory,
            ["PriceIntelApi:Engine:Input"] = "None",
            ["Logging:LogLevel:Default"] = "None",
            ["PriceIntel:Pricing:MinMargin"] = "abc",
        }));
        Assert.Equal(2, exit);
        Assert.Equal($"error: PriceIntel configuration section 'PriceIntel:Pricing' is invalid: PriceIntel:Pricing:MinMargin = 'abc': not a number{Environment.NewLine}", error.ToString());
    }
}
