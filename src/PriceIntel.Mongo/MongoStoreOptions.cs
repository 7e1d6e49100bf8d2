using System.Globalization;
using Microsoft.Extensions.Configuration;
using MongoDB.Driver;

namespace PriceIntel.Mongo;

/// <summary>Where the MongoDB store lives. Setters check their values; the error names the key.</summary>
public sealed class MongoStoreOptions
{
    /// <summary>The configuration section read by <see cref="Bind"/>: <c>database:mongodb</c>.</summary>
    public const string ConfigurationSection = "database:mongodb";

    private string _connectionString = "mongodb://localhost:27017";
    private string _database = "priceintel";
    private MongoPriceHistoryLayout _priceHistory = MongoPriceHistoryLayout.TimeSeries;
    private TimeSeriesGranularity _granularity = TimeSeriesGranularity.Minutes;
    private StoreRetention _retention = new();

    /// <summary>The connection string (<c>database.mongodb.uri</c>, or the <c>MONGODB_URI</c> variable). Retryable writes stay on unless it says <c>retryWrites=false</c>.</summary>
    /// <exception cref="ArgumentException">Not a mongodb:// or mongodb+srv:// URI.</exception>
    public string ConnectionString
    {
        get => _connectionString;
        set => _connectionString = value is not null && (value.StartsWith("mongodb://", StringComparison.Ordinal) || value.StartsWith("mongodb+srv://", StringComparison.Ordinal))
            ? value
            : throw new ArgumentException($"database.mongodb.uri must start with mongodb:// or mongodb+srv://; got '{value}'.", nameof(ConnectionString));
    }

    /// <summary>The database name (<c>database.mongodb.database</c>, default <c>priceintel</c>).</summary>
    /// <exception cref="ArgumentException">Empty, or with characters MongoDB does not allow in a database name.</exception>
    public string Database
    {
        get => _database;
        set => _database = !string.IsNullOrWhiteSpace(value) && value.Length <= 63 && value.IndexOfAny(['/', '\\', '.', ' ', '"', '$', '\0']) < 0
            ? value
            : throw new ArgumentException($"database.mongodb.database must be 1 to 63 characters without / \\ . space \" $; got '{value}'.", nameof(Database));
    }

    /// <summary>
    /// Where competitor price observations live (<c>database.mongodb.priceHistory</c>: <c>timeSeries</c>, the
    /// default, needs MongoDB 7.0 or newer; <c>regular</c> keeps the regular collection for older servers).
    /// Every process using one database should use the same layout: a store opened with
    /// <see cref="MongoPriceHistoryLayout.TimeSeries"/> after one with <see cref="MongoPriceHistoryLayout.Regular"/>
    /// copies the whole ledger into the time-series collection on open.
    /// </summary>
    /// <exception cref="ArgumentException">Not a defined layout; the message names the key.</exception>
    public MongoPriceHistoryLayout PriceHistory
    {
        get => _priceHistory;
        set => _priceHistory = Enum.IsDefined(value)
            ? value
            : throw new ArgumentException($"database.mongodb.priceHistory must be timeSeries or regular; got '{value}'.", nameof(PriceHistory));
    }

    /// <summary>
    /// The time-series collection's granularity (<c>database.mongodb.granularity</c>: <c>seconds</c>, <c>minutes</c>
    /// (default) or <c>hours</c>): pick the one closest to the interval between observations of one product
    /// and competitor. Used when the collection is created; an existing collection keeps its own.
    /// </summary>
    /// <exception cref="ArgumentException">Not a defined granularity; the message names the key.</exception>
    public TimeSeriesGranularity Granularity
    {
        get => _granularity;
        set => _granularity = Enum.IsDefined(value)
            ? value
            : throw new ArgumentException($"database.mongodb.granularity must be seconds, minutes or hours; got '{value}'.", nameof(Granularity));
    }

    /// <summary>
    /// How long history is kept (<c>database.mongodb.retention</c>; forever unless set). Applied at most once a
    /// minute from the appends, measured back from the newest stored observation (prices, buckets, outputs)
    /// or demand event (demand); events older than the demand-event period are refused from then on.
    /// </summary>
    /// <exception cref="ArgumentException">A period is not positive; the message names it.</exception>
    public StoreRetention Retention
    {
        get => _retention;
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            value.Validate();
            _retention = value;
        }
    }

    /// <summary>
    /// Reads <c>database:mongodb</c>: <c>uri</c>, <c>database</c>, <c>priceHistory</c>, <c>granularity</c> and
    /// <c>retention:</c> <c>competitorPricesDays</c>, <c>hourBucketsDays</c>, <c>dayBucketsDays</c>, <c>outputsDays</c>,
    /// <c>demandEventsDays</c>, <c>demandHourBucketsDays</c>; <c>MONGODB_URI</c> (a configuration key, e.g. from
    /// environment variables) overrides the URI.
    /// </summary>
    /// <exception cref="ArgumentException">A value is invalid or a key unknown; the message names the key.</exception>
    public static MongoStoreOptions Bind(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = new MongoStoreOptions();
        foreach (var child in configuration.GetSection(ConfigurationSection).GetChildren())
        {
            var key = $"{ConfigurationSection}:{child.Key}";
            try
            {
                switch (child.Key.Replace("_", "", StringComparison.Ordinal).ToUpperInvariant())
                {
                    case "URI": options.ConnectionString = child.Value ?? string.Empty; break;
                    case "DATABASE": options.Database = child.Value ?? string.Empty; break;
                    case "PRICEHISTORY": options.PriceHistory = ParseLayout(child.Value); break;
                    case "GRANULARITY": options.Granularity = ParseGranularity(child.Value); break;
                    case "RETENTION": options.Retention = BindRetention(child, key); break;
                    default: throw new ArgumentException("unknown key (known: uri, database, priceHistory, granularity, retention)");
                }
            }
            catch (Exception ex) when (ex is ArgumentException or FormatException or OverflowException)
            {
                throw new ArgumentException($"configuration {key} = '{child.Value}': {ex.Message}", key, ex);
            }
        }

        if (configuration["MONGODB_URI"] is { Length: > 0 } uri)
        {
            try
            {
                options.ConnectionString = uri;
            }
            catch (ArgumentException ex)
            {
#pragma warning disable CA2208 // the parameter is the MONGODB_URI variable the value came from
                throw new ArgumentException($"MONGODB_URI: {ex.Message}", "MONGODB_URI", ex);
#pragma warning restore CA2208
            }
        }

        return options;
    }

    private static MongoPriceHistoryLayout ParseLayout(string? value) => Normalize(value) switch
    {
        "TIMESERIES" => MongoPriceHistoryLayout.TimeSeries,
        "REGULAR" => MongoPriceHistoryLayout.Regular,
        _ => throw new ArgumentException("expected timeSeries or regular"),
    };

    private static TimeSeriesGranularity ParseGranularity(string? value) => Normalize(value) switch
    {
        "SECONDS" => TimeSeriesGranularity.Seconds,
        "MINUTES" => TimeSeriesGranularity.Minutes,
        "HOURS" => TimeSeriesGranularity.Hours,
        _ => throw new ArgumentException("expected seconds, minutes or hours"),
    };

    private static string Normalize(string? value) =>
        (value ?? string.Empty).Replace("_", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal).Trim().ToUpperInvariant();

    /// <summary>Minute buckets are rolled up from the raw observations when queried, so there is no <c>minuteBucketsDays</c>: they follow <c>competitorPricesDays</c>.</summary>
    private static StoreRetention BindRetention(IConfigurationSection section, string prefix)
    {
        var retention = new StoreRetention();
        foreach (var child in section.GetChildren())
        {
            var value = child.Value ?? string.Empty;
            TimeSpan? days = long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n is > 0 and <= 36_500
                ? TimeSpan.FromDays(n)
                : throw new ArgumentException($"{prefix}:{child.Key} = '{value}': expected a whole number of days from 1 to 36500");
            retention = Normalize(child.Key) switch
            {
                "COMPETITORPRICESDAYS" => retention with { CompetitorPrices = days },
                "HOURBUCKETSDAYS" => retention with { HourBuckets = days },
                "DAYBUCKETSDAYS" => retention with { DayBuckets = days },
                "OUTPUTSDAYS" => retention with { Outputs = days },
                "DEMANDEVENTSDAYS" => retention with { DemandEvents = days },
                "DEMANDHOURBUCKETSDAYS" => retention with { DemandHourBuckets = days },
                _ => throw new ArgumentException($"unknown key {prefix}:{child.Key} (known: competitorPricesDays, hourBucketsDays, dayBucketsDays, outputsDays, demandEventsDays, demandHourBucketsDays)"),
            };
        }

        retention.Validate();
        return retention;
    }
}
