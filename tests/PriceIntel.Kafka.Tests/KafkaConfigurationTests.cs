using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using PriceIntel.Kafka.Tests.Infrastructure;

namespace PriceIntel.Kafka.Tests;

public sealed class KafkaConfigurationTests
{
    [Fact]
    public void The_yaml_kafka_block_binds_with_snake_case_keys()
    {
        var configuration = new ConfigurationBuilder().AddPriceIntelYamlFile(Path.Combine(AppContext.BaseDirectory, "config.yaml")).Build();
        var options = KafkaConfiguration.Bind(configuration.GetSection(KafkaOptions.SectionName));
        Assert.Equal("localhost:9092", options.BootstrapServers);
        Assert.Equal("priceintel", options.GroupId);
        Assert.Equal("price-updates", options.Topics.PriceUpdates);
        Assert.Equal("competitor-data", options.Topics.CompetitorData);
        Assert.Equal("user-behavior", options.Topics.UserBehavior);
        Assert.Equal("market-signals", options.Topics.MarketSignals);
        Assert.Equal("pricing-decisions", options.Topics.PricingDecisions);
    }

    [Fact]
    public void Environment_style_keys_set_options_and_client_properties()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Kafka:BootstrapServers"] = "broker-1:9093,broker-2:9093",
            ["Kafka:CommitInterval"] = "00:00:05",
            ["Kafka:EventsPerMessage"] = "32",
            ["Kafka:Topics:DeadLetter"] = "poison",
            ["Kafka:Client:security.protocol"] = "SASL_SSL",
            ["Kafka:Client:sasl.mechanism"] = "PLAIN",
        }).Build();
        var options = KafkaConfiguration.Bind(configuration.GetSection("Kafka"));
        Assert.Equal("broker-1:9093,broker-2:9093", options.BootstrapServers);
        Assert.Equal(TimeSpan.FromSeconds(5), options.CommitInterval);
        Assert.Equal(32, options.EventsPerMessage);
        Assert.Equal("poison", options.Topics.DeadLetter);
        Assert.Equal("SASL_SSL", options.Client["security.protocol"]);

        var built = KafkaClientConfig.Build(options, "consumer");
        Assert.Equal("SASL_SSL", built["security.protocol"]);
        Assert.Equal("broker-1:9093,broker-2:9093", built["bootstrap.servers"]);
    }

    [Fact]
    public void The_envelope_span_binds_is_range_checked_and_defaults_to_the_default_allowed_lateness()
    {
        Assert.Equal(TimeSpan.FromMilliseconds(new PriceIntelOptions().Windows.AllowedLatenessMs), new KafkaOptions().MaxEnvelopeSpan);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Kafka:MaxEnvelopeSpan"] = "00:01:30" }).Build();
        Assert.Equal(TimeSpan.FromSeconds(90), KafkaConfiguration.Bind(configuration.GetSection("Kafka")).MaxEnvelopeSpan);
        Assert.Equal(TimeSpan.Zero, new KafkaOptions { MaxEnvelopeSpan = TimeSpan.Zero }.MaxEnvelopeSpan);

        var negative = Assert.Throws<ArgumentOutOfRangeException>(() => new KafkaOptions { MaxEnvelopeSpan = TimeSpan.FromSeconds(-1) });
        Assert.Contains("Kafka:MaxEnvelopeSpan", negative.Message, StringComparison.Ordinal);
        var tooLong = Assert.Throws<ArgumentOutOfRangeException>(() => new KafkaOptions { MaxEnvelopeSpan = TimeSpan.FromDays(8) });
        Assert.Contains("Kafka:MaxEnvelopeSpan", tooLong.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_processor_refuses_an_envelope_span_longer_than_the_allowed_lateness_when_it_packs_events()
    {
        var engine = new PriceIntelOptions();
        engine.Windows.AllowedLatenessSeconds = 60;
        var kafka = new KafkaOptions { EventsPerMessage = 64, MaxEnvelopeSpan = TimeSpan.FromSeconds(61) };
        var ex = Assert.Throws<ArgumentException>(() => KafkaMarketProcessor.Create(engine, kafka));
        Assert.Contains("Kafka:MaxEnvelopeSpan (00:01:01)", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Windows:AllowedLatenessSeconds (60 s)", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Kafka:EventsPerMessage is 64", ex.Message, StringComparison.Ordinal);

        // Equal to the lateness is on time (the proof needs span <= lateness); one event per message has no span.
        kafka.MaxEnvelopeSpan = TimeSpan.FromSeconds(60);
        using (KafkaMarketProcessor.Create(engine, kafka))
        {
        }

        kafka.MaxEnvelopeSpan = TimeSpan.FromSeconds(61);
        kafka.EventsPerMessage = 1;
        using (KafkaMarketProcessor.Create(engine, kafka))
        {
        }
    }

    [Fact]
    public void The_engine_thread_is_on_unless_configured_off()
    {
        Assert.True(KafkaConfiguration.Bind(new ConfigurationBuilder().Build().GetSection("Kafka")).EngineThread);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Kafka:EngineThread"] = "false" }).Build();
        Assert.False(KafkaConfiguration.Bind(configuration.GetSection("Kafka")).EngineThread);
    }

    [Theory]
    [InlineData(null, null, 5)]
    [InlineData("max.in.flight.requests.per.connection", "1", 1)]
    [InlineData("max.in.flight", "3", 3)]
    [InlineData("max.in.flight", "50", 5)]
    [InlineData("max.in.flight", "zero", 5)]
    public void The_output_producer_takes_a_lower_in_flight_limit_but_never_more_than_idempotence_allows(string? name, string? value, int expected)
    {
        var settings = new Dictionary<string, string> { ["bootstrap.servers"] = "b:9092" };
        if (name is not null)
        {
            settings[name] = value!;
        }

        Assert.Equal(expected, PriceIntel.Kafka.Processing.OutputProducer.MaxInFlight(settings));
        Assert.DoesNotContain(settings.Keys, k => k.StartsWith("max.in.flight", StringComparison.Ordinal)); // one name goes to the client, set by the caller
    }

    [Theory]
    [InlineData("Kafka:BatchSize", "0", "Kafka:BatchSize")]
    [InlineData("Kafka:CommitInterval", "-00:00:01", "Kafka:CommitInterval")]
    [InlineData("Kafka:GroupId", " ", "Kafka:GroupId")]
    [InlineData("Kafka:BatchSzie", "10", "BatchSzie")]
    [InlineData("Kafka:Topics:State", "market-signals", "Kafka:Topics:MarketSignals")]
    public void Bad_keys_and_values_name_themselves(string key, string value, string named)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [key] = value }).Build();
        var error = Assert.Throws<InvalidOperationException>(() => KafkaConfiguration.Bind(configuration.GetSection("Kafka")));
        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddPriceIntelKafka_registers_the_processor_and_its_hosted_service_once()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddPriceIntelKafka(o => o.BootstrapServers = "127.0.0.1:1");
        services.AddPriceIntelKafka();
        using var provider = services.BuildServiceProvider();
        var processor = provider.GetRequiredService<KafkaMarketProcessor>();
        Assert.Same(processor, provider.GetRequiredService<KafkaMarketProcessor>());
        Assert.Single(provider.GetServices<IHostedService>());
        Assert.Equal(0, processor.Counters.AssignedPartitions);
    }

    [Fact]
    public void AddPriceIntelKafka_validates_the_options_once_and_names_the_bad_ones()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddPriceIntelKafka(o => o.Topics.DeadLetter = o.Topics.State);
        services.AddPriceIntelKafka();
        Assert.Single(services, d => d.ServiceType == typeof(IValidateOptions<KafkaOptions>));
        using var provider = services.BuildServiceProvider();
        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<KafkaOptions>>().Value);
        var failure = Assert.Single(error.Failures);
        Assert.Contains("Kafka:Topics:DeadLetter", failure, StringComparison.Ordinal);
        Assert.Contains("Kafka:Topics:State", failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_processor_refuses_to_start_when_topics_are_missing_or_unequally_partitioned()
    {
        using var mock = new MockClusterFixture();
        var options = new KafkaOptions { BootstrapServers = mock.Cluster.BootstrapServers, RestoreTimeout = TimeSpan.FromSeconds(5) };
        var missing = await Assert.ThrowsAsync<InvalidOperationException>(() => KafkaMarketProcessor.Create(new PriceIntelOptions(), options).RunAsync(CancellationToken.None));
        Assert.Contains("price-updates", missing.Message, StringComparison.Ordinal);
        Assert.Contains("priceintel-state", missing.Message, StringComparison.Ordinal);

        mock.Cluster.CreateTopic(options.Topics.PriceUpdates, 4);
        mock.Cluster.CreateTopic(options.Topics.CompetitorData, 4);
        mock.Cluster.CreateTopic(options.Topics.UserBehavior, 2);
        mock.Cluster.CreateTopic(options.Topics.MarketSignals, 4);
        mock.Cluster.CreateTopic(options.Topics.PricingDecisions, 4);
        mock.Cluster.CreateTopic(options.Topics.DeadLetter, 1);
        mock.Cluster.CreateTopic(options.Topics.State, 4);
        var unequal = await Assert.ThrowsAsync<InvalidOperationException>(() => KafkaMarketProcessor.Create(new PriceIntelOptions(), options).RunAsync(CancellationToken.None));
        Assert.Contains("user-behavior=2", unequal.Message, StringComparison.Ordinal);
    }
}
