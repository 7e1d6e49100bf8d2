using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace PriceIntel.Hosting.Tests;

public sealed class ConfigurationTests
{
    [Fact]
    public void Defaults_are_the_seeds()
    {
        var o = new PriceIntelOptions();
        Assert.Equal(0.10, o.Pricing.MaxChange);
        Assert.Equal(0.15, o.Alerts.CompetitorPriceDropThreshold);
        Assert.Equal(10, o.Alerts.LowInventoryThreshold);
        Assert.Equal(0.05, o.Pricing.MinMargin);
        Assert.Equal(0.30, o.Pricing.MaxMargin);
        Assert.Equal(TimeSpan.FromMinutes(15), o.Pricing.UpdateInterval);
    }

    [Fact]
    public void Shipped_yaml_file_binds_every_section()
    {
        var config = new ConfigurationBuilder()
            .SetBasePath(AppContext.BaseDirectory)
            .AddPriceIntelYamlFile("config.yaml")
            .Build();

        var o = PriceIntelConfiguration.Bind(config);

        Assert.Equal(PricingStrategyKind.BeatLowest, o.Pricing.Strategy);
        Assert.Equal(0.01, o.Pricing.BeatBy);
        Assert.Equal(15, o.Pricing.UpdateIntervalMinutes);
        Assert.Equal(3, o.Experiment.Arms.Count);
        Assert.Equal("match-lowest", o.Experiment.Arms[1].Name);
        Assert.Equal(PricingStrategyKind.Percentile, o.Experiment.Arms[2].Strategy);
        Assert.Equal(24, o.Windows.BucketsPerWindow);
        Assert.Equal(BufferFullMode.Wait, o.Pipeline.FullMode);
        Assert.Equal("localhost:9092", config["kafka:BootstrapServers"]);
    }

    [Fact]
    public void Environment_variables_override_the_yaml_file()
    {
        const string name = "PRICEINTEL_TEST__Pricing__MinMargin";
        Environment.SetEnvironmentVariable(name, "0.08");
        try
        {
            var config = new ConfigurationBuilder()
                .SetBasePath(AppContext.BaseDirectory)
                .AddPriceIntelYamlFile("config.yaml")
                .AddEnvironmentVariables("PRICEINTEL_TEST__")
                .Build();
            Assert.Equal(0.08, PriceIntelConfiguration.Bind(config).Pricing.MinMargin);
        }
        finally
        {
            Environment.SetEnvironmentVariable(name, null);
        }
    }

    [Fact]
    public void Out_of_range_value_names_key_and_value()
    {
        var config = Yaml("pricing:\n  min_margin: 1.5e3\n");
        var ex = Assert.Throws<InvalidOperationException>(() => PriceIntelConfiguration.Bind(config));
        Assert.Contains("Pricing:MinMargin", ex.Message, StringComparison.Ordinal);
        Assert.Contains("1500", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unconvertible_value_names_key()
    {
        var config = Yaml("alerts:\n  low_inventory_threshold: lots\n");
        var ex = Assert.Throws<InvalidOperationException>(() => PriceIntelConfiguration.Bind(config));
        Assert.Contains("LowInventoryThreshold", ex.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("lots", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_key_in_an_engine_section_is_an_error()
    {
        var config = Yaml("pricing:\n  min_marign: 0.1\n");
        var ex = Assert.Throws<InvalidOperationException>(() => PriceIntelConfiguration.Bind(config));
        Assert.Contains("MinMarign", ex.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Inconsistent_margins_are_an_error()
    {
        var config = Yaml("pricing:\n  min_margin: 0.4\n  max_margin: 0.2\n");
        var ex = Assert.Throws<InvalidOperationException>(() => PriceIntelConfiguration.Bind(config));
        Assert.Contains("MinMargin (0.4)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Malformed_yaml_says_where()
    {
        var path = Path.Combine(Path.GetTempPath(), $"priceintel-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, "pricing:\n  min_margin: [0.1\n");
        try
        {
            var ex = Assert.ThrowsAny<Exception>(() => new ConfigurationBuilder().AddPriceIntelYamlFile(path).Build());
            Assert.Contains("line", (ex.InnerException ?? ex).Message + ex.Message, StringComparison.OrdinalIgnoreCase);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Json_configuration_binds_from_the_PriceIntel_section()
    {
        var config = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["PriceIntel:Pricing:Strategy"] = "MatchLowest",
                ["PriceIntel:Alerts:CooldownMinutes"] = "5",
            })
            .Build();
        var o = PriceIntelConfiguration.Bind(config.GetSection(PriceIntelOptions.SectionName));
        Assert.Equal(PricingStrategyKind.MatchLowest, o.Pricing.Strategy);
        Assert.Equal(5, o.Alerts.CooldownMinutes);
    }

    [Fact]
    public void Appsettings_json_file_binds_and_the_DI_overload_uses_it()
    {
        var path = Path.Combine(Path.GetTempPath(), $"appsettings-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, """
            {
              "PriceIntel": {
                "Pricing": { "Strategy": "Percentile", "Percentile": 0.25, "MaxChange": 0.05 },
                "Experiment": { "Salt": "s1", "Arms": [ { "Name": "a", "Strategy": "Hold" }, { "Name": "b", "Weight": 3 } ] }
              }
            }
            """);
        try
        {
            var config = new ConfigurationBuilder().AddJsonFile(path).Build();
            var services = new ServiceCollection();
            services.AddPriceIntel(config.GetSection(PriceIntelOptions.SectionName), o => o.Pricing.MaxChange = 0.07);
            using var provider = services.BuildServiceProvider();
            var o = provider.GetRequiredService<IOptions<PriceIntelOptions>>().Value;
            Assert.Equal(PricingStrategyKind.Percentile, o.Pricing.Strategy);
            Assert.Equal(0.25, o.Pricing.Percentile);
            Assert.Equal(0.07, o.Pricing.MaxChange); // the configure action runs after binding
            Assert.Equal(2, o.Experiment.Arms.Count);
            Assert.Equal(3, o.Experiment.Arms[1].Weight);
            Assert.Equal(PricingStrategyKind.Hold, o.Experiment.Arms[0].Strategy);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Dependency_injection_registers_once_and_validates()
    {
        var services = new ServiceCollection();
        services.AddPriceIntel(o => o.Pricing.MinMargin = 0.1);
        services.AddPriceIntel();
        using var provider = services.BuildServiceProvider();
        Assert.Same(provider.GetRequiredService<MarketKeys>(), provider.GetRequiredService<MarketKeys>());
        Assert.Single(services, d => d.ServiceType == typeof(MarketKeys));
        Assert.Equal(0.1, provider.GetRequiredService<IOptions<PriceIntelOptions>>().Value.Pricing.MinMargin);
        Assert.NotNull(provider.GetRequiredService<MarketEngine>());

        var bad = new ServiceCollection();
        bad.AddPriceIntel(o => { o.Pricing.MinMargin = 0.5; o.Pricing.MaxMargin = 0.2; });
        using var badProvider = bad.BuildServiceProvider();
        var ex = Assert.Throws<OptionsValidationException>(() => badProvider.GetRequiredService<IOptions<PriceIntelOptions>>().Value);
        Assert.Contains("MinMargin", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Setters_reject_bad_values_naming_the_option()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new PricingOptions { MaxChange = double.NaN });
        Assert.Equal("Pricing:MaxChange", ex.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => new AlertOptions { LowInventoryThreshold = -1 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new PipelineOptions { BatchSize = 0 });
    }

    private static IConfiguration Yaml(string text)
    {
        var path = Path.Combine(Path.GetTempPath(), $"priceintel-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, text);
        try
        {
            return new ConfigurationBuilder().AddPriceIntelYamlFile(path).Build();
        }
        finally
        {
            File.Delete(path);
        }
    }
}
