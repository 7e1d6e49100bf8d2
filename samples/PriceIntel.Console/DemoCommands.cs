using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using PriceIntel.Hosting;
using PriceIntel.Storage.Sqlite;
using Spectre.Console.Cli;

namespace PriceIntel.ConsoleDemo;

/// <summary>The default command: simulate or replay into the store, or the Kafka modes (<c>--kafka</c>).</summary>
internal sealed class RunCommand : AsyncCommand<DemoSettings>
{
    public override Task<int> ExecuteAsync(CommandContext context, DemoSettings settings, CancellationToken cancellationToken)
    {
        DemoErrors.Started = true;
        return DemoHost.RunAsync(DemoArguments.From(settings, load: false));
    }
}

/// <summary><c>load --kafka HOST:PORT</c>: publish the simulated market (or a replay) to the input topics.</summary>
internal sealed class LoadCommand : AsyncCommand<DemoSettings>
{
    public override Task<int> ExecuteAsync(CommandContext context, DemoSettings settings, CancellationToken cancellationToken)
    {
        DemoErrors.Started = true;
        return DemoHost.RunAsync(DemoArguments.From(settings, load: true));
    }
}

/// <summary>What the commands share: configuration, logging, the store path and the dispatch by mode.</summary>
internal static class DemoHost
{
    public static async Task<int> RunAsync(DemoArguments demo)
    {
        var (configuration, options) = LoadConfiguration(demo.ConfigPath);
        using var loggerFactory = LoggerFactory.Create(b => b
            .AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; })
            .SetMinimumLevel(demo.Verbose ? LogLevel.Information : LogLevel.Warning));
        if (demo.Mode != DemoMode.Simulate)
        {
            return await KafkaDemo.RunAsync(demo, configuration, options, loggerFactory);
        }

        try
        {
            EngineCapacity.Validate(options, demo.Products, demo.Competitors); // --products that cannot fit: an error, not an OutOfMemoryException
        }
        catch (ArgumentOutOfRangeException ex)
        {
            throw new DemoConfigurationException(ex.Message.Split(Environment.NewLine)[0].Split(" (Parameter")[0], ex);
        }

        return await SimulateRun.RunAsync(demo, configuration, options, loggerFactory);
    }

    /// <summary>The YAML file (given or found), then <c>PRICEINTEL_</c> variables, bound to the engine's options.</summary>
    /// <exception cref="DemoConfigurationException">The file cannot be read or a value is invalid; the message names the file or key.</exception>
    public static (IConfiguration Configuration, PriceIntelOptions Options) LoadConfiguration(string? configPath)
    {
        try
        {
            var builder = new ConfigurationBuilder();
            var path = configPath ?? DemoArguments.FindDefaultConfig();
            if (path is not null)
            {
                builder.AddPriceIntelYamlFile(Path.GetFullPath(path));
            }

            builder.AddPriceIntelEnvironmentVariables();
            var configuration = builder.Build();
            var options = PriceIntelConfiguration.Bind(configuration);
            if (path is not null)
            {
                Console.WriteLine($"configuration: {Path.GetFullPath(path)}");
            }

            return (configuration, options);
        }
        catch (Exception ex) when (ex is InvalidOperationException or FormatException or IOException or ArgumentException or UnauthorizedAccessException)
        {
            throw new DemoConfigurationException(ex.Message, ex);
        }
    }

    /// <summary>
    /// The store options: <c>database:sqlite</c> from the configuration; the path from <c>--store</c>, else
    /// the configuration, else <c>OUT/priceintel.db</c>.
    /// </summary>
    /// <exception cref="DemoConfigurationException">A <c>database:sqlite</c> value is invalid.</exception>
    public static SqliteStoreOptions StoreOptions(IConfiguration configuration, string? storePath, string outputDirectory)
    {
        SqliteStoreOptions options;
        try
        {
            options = SqliteStoreOptions.Bind(configuration);
        }
        catch (ArgumentException ex)
        {
            // The message already names the key; the runtime's " (Parameter 'database:sqlite:…')" says it twice.
            throw new DemoConfigurationException(ex.Message.Split(" (Parameter '")[0], ex);
        }

        if (storePath is not null)
        {
            options.Path = storePath;
        }
        else if (configuration[$"{SqliteStoreOptions.ConfigurationSection}:path"] is null)
        {
            options.Path = Path.Combine(outputDirectory, "priceintel.db");
        }

        return options;
    }
}

/// <summary>A configuration error (exit code 2); the message names the file or key.</summary>
internal sealed class DemoConfigurationException(string message, Exception inner) : Exception(message, inner);
