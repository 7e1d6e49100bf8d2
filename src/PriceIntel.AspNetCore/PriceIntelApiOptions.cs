using System.Globalization;

namespace PriceIntel.AspNetCore;

/// <summary>Where the in-process engine's events come from, besides HTTP ingest.</summary>
public enum EngineInput
{
    /// <summary>Only HTTP ingest feeds the engine.</summary>
    None = 0,

    /// <summary>The market simulator, paced against the wall clock (see <see cref="EngineHostOptions.SimulatorSpeed"/>), plus HTTP ingest.</summary>
    Simulator = 1,

    /// <summary>A JSON Lines file replayed once (see <see cref="EngineHostOptions.ReplayPath"/>), plus HTTP ingest.</summary>
    Replay = 2,

    /// <summary>
    /// No engine in this process: it runs in <c>KafkaMarketProcessor</c> processes. Ingest is produced to the
    /// Kafka input topics and the API reads the store and the output topics. Set by
    /// <c>services.AddPriceIntelApiKafka(...)</c>; live boards and experiment tallies answer 503 in this mode.
    /// </summary>
    Kafka = 3,
}

/// <summary>
/// Settings of the PriceIntel HTTP API, bound from the <c>PriceIntelApi</c> configuration section.
/// Every setter checks its value and throws <see cref="ArgumentOutOfRangeException"/> naming the option and value.
/// </summary>
public sealed class PriceIntelApiOptions
{
    /// <summary>The configuration section the options bind from.</summary>
    public const string SectionName = "PriceIntelApi";

    /// <summary>The environment variable that holds the local admin API key.</summary>
    public const string AdminApiKeyVariable = "PRICEINTEL_ADMIN_API_KEY";

    private long _maxRequestBodyBytes = 256 * 1024;
    private long _maxIngestBodyBytes = 64L * 1024 * 1024;
    private int _maxBatchItems = 10_000;
    private int _readCacheMilliseconds = 250;

    /// <summary>
    /// The admin API key, sent in <c>X-Api-Key</c>. Default: the value of <c>PRICEINTEL_ADMIN_API_KEY</c>;
    /// no admin key when neither is set. Only its SHA-256 hash is kept once the API starts.
    /// </summary>
    public string? AdminApiKey { get; set; } = Environment.GetEnvironmentVariable(AdminApiKeyVariable);

    /// <summary>API keys besides the admin key (storefronts, scrapers, dashboards), stored as SHA-256 hashes.</summary>
    public IList<ApiKeyDefinition> ApiKeys { get; } = [];

    /// <summary>JWT bearer validation; off while <see cref="JwtOptions.SigningKey"/> and <see cref="JwtOptions.Authority"/> are both unset.</summary>
    public JwtOptions Jwt { get; set; } = new();

    /// <summary>Per-caller rate limit.</summary>
    public RateLimitOptions RateLimit { get; set; } = new();

    /// <summary>The live feed's pacing.</summary>
    public FeedOptions Feed { get; set; } = new();

    /// <summary>The in-process engine's input.</summary>
    public EngineHostOptions Engine { get; set; } = new();

    /// <summary>Largest request body accepted by every endpoint but ingest, in bytes (1 KiB to 64 MiB). Default 256 KiB.</summary>
    public long MaxRequestBodyBytes
    {
        get => _maxRequestBodyBytes;
        set => _maxRequestBodyBytes = OptionCheck.Between(value, 1024, 64L * 1024 * 1024, "PriceIntelApi:MaxRequestBodyBytes");
    }

    /// <summary>Largest ingest request body, in bytes (1 KiB to 1 GiB). Default 64 MiB.</summary>
    public long MaxIngestBodyBytes
    {
        get => _maxIngestBodyBytes;
        set => _maxIngestBodyBytes = OptionCheck.Between(value, 1024, 1L << 30, "PriceIntelApi:MaxIngestBodyBytes");
    }

    /// <summary>Most items in one JSON ingest batch (1 to 1,000,000). Default 10,000. JSON Lines ingest is limited by size only.</summary>
    public int MaxBatchItems
    {
        get => _maxBatchItems;
        set => _maxBatchItems = (int)OptionCheck.Between(value, 1, 1_000_000, "PriceIntelApi:MaxBatchItems");
    }

    /// <summary>
    /// When true, a request without credentials reads as a viewer (GET endpoints and the feed only).
    /// Default false: only health and the OpenAPI document answer without credentials. Meant for a
    /// local dashboard demo bound to loopback.
    /// </summary>
    public bool AllowAnonymousRead { get; set; }

    /// <summary>
    /// Serve the Scalar API reference page at <c>/scalar</c> (static documentation of the OpenAPI document; it answers
    /// without credentials). Default null: only when the host environment is Development.
    /// </summary>
    public bool? ServeApiReference { get; set; }

    /// <summary>
    /// How long a read (product, board, lists of products, signals and decisions, experiments) may be answered from a
    /// serialized copy of the same request's earlier answer, in milliseconds (0 to 60,000; 0 turns the cache off).
    /// Default 250. Writes through the API (acknowledgements, prices, catalog changes, ingest with <c>wait=true</c>)
    /// clear it at once; the engine's outputs show within this delay.
    /// </summary>
    public int ReadCacheMilliseconds
    {
        get => _readCacheMilliseconds;
        set => _readCacheMilliseconds = (int)OptionCheck.Between(value, 0, 60_000, "PriceIntelApi:ReadCacheMilliseconds");
    }

    /// <summary>Checks the rules that span options.</summary>
    /// <exception cref="ArgumentException">An API key definition is incomplete or duplicated; the message names it.</exception>
    public void Validate()
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < ApiKeys.Count; i++)
        {
            var key = ApiKeys[i];
            string at = string.Create(CultureInfo.InvariantCulture, $"PriceIntelApi:ApiKeys:{i}");
            if (string.IsNullOrWhiteSpace(key.Name))
            {
                throw new ArgumentException($"{at}:Name is required.");
            }

            if (!names.Add(key.Name))
            {
                throw new ArgumentException($"{at}:Name '{key.Name}' is used by two keys.");
            }

            if (string.IsNullOrEmpty(key.Key) == string.IsNullOrEmpty(key.KeyHash))
            {
                throw new ArgumentException($"{at}: give exactly one of Key or KeyHash for key '{key.Name}'.");
            }

            if (key.KeyHash is { } hash && (hash.Length != 64 || !hash.All(Uri.IsHexDigit)))
            {
                throw new ArgumentException($"{at}:KeyHash of key '{key.Name}' must be 64 hex digits (SHA-256).");
            }

            if (!PriceIntelRoles.IsKnown(key.Role))
            {
                throw new ArgumentException($"{at}:Role '{key.Role}' of key '{key.Name}' is not one of {string.Join(", ", PriceIntelRoles.All)}.");
            }
        }

        if (AdminApiKey is { Length: > 0 and < 16 })
        {
            throw new ArgumentException($"PriceIntelApi:AdminApiKey ({AdminApiKeyVariable}) must be at least 16 characters.");
        }

        Jwt.Validate();
        Engine.Validate();
    }
}

/// <summary>One API key: who it is, its role, and for ingest keys which event kinds it may send.</summary>
public sealed class ApiKeyDefinition
{
    /// <summary>The caller's name, recorded as "who" on acknowledgements and manual decisions.</summary>
    public string Name { get; set; } = "";

    /// <summary>The key in clear (hashed with SHA-256 at start-up, then dropped). Give this or <see cref="KeyHash"/>.</summary>
    public string? Key { get; set; }

    /// <summary>The key's SHA-256 hash, 64 hex digits (so configuration never holds the key).</summary>
    public string? KeyHash { get; set; }

    /// <summary>One of <see cref="PriceIntelRoles.All"/>. Default <see cref="PriceIntelRoles.Ingest"/>.</summary>
    public string Role { get; set; } = PriceIntelRoles.Ingest;

    /// <summary>
    /// For ingest keys: the event kinds the key may send (e.g. only <see cref="MarketEventKind.Demand"/> for a
    /// storefront, only <see cref="MarketEventKind.CompetitorPrice"/> for a scraper). Empty: every kind.
    /// </summary>
    public IList<MarketEventKind> IngestKinds { get; } = [];
}

/// <summary>JWT bearer validation settings.</summary>
public sealed class JwtOptions
{
    /// <summary>Expected issuer (<c>iss</c>); required when JWT is on.</summary>
    public string? Issuer { get; set; }

    /// <summary>Expected audience (<c>aud</c>); required when JWT is on.</summary>
    public string? Audience { get; set; }

    /// <summary>Symmetric HMAC-SHA256 signing key (at least 32 bytes of UTF-8), for tokens issued by a shared secret.</summary>
    public string? SigningKey { get; set; }

    /// <summary>OpenID Connect authority whose published keys sign the tokens (instead of <see cref="SigningKey"/>).</summary>
    public string? Authority { get; set; }

    /// <summary>True when either key source is set.</summary>
    public bool Enabled => !string.IsNullOrEmpty(SigningKey) || !string.IsNullOrEmpty(Authority);

    /// <summary>Checks the settings.</summary>
    /// <exception cref="ArgumentException">A setting is missing or too weak; the message names it.</exception>
    public void Validate()
    {
        if (!Enabled)
        {
            return;
        }

        if (string.IsNullOrEmpty(Issuer) || string.IsNullOrEmpty(Audience))
        {
            throw new ArgumentException("PriceIntelApi:Jwt:Issuer and PriceIntelApi:Jwt:Audience are required when JWT is on.");
        }

        if (SigningKey is { } key && System.Text.Encoding.UTF8.GetByteCount(key) < 32)
        {
            throw new ArgumentException("PriceIntelApi:Jwt:SigningKey must be at least 32 bytes.");
        }
    }
}

/// <summary>Token-bucket rate limit per caller (API key name, token subject, or remote address).</summary>
public sealed class RateLimitOptions
{
    private int _permitsPerSecond = 200;
    private int _burst = 400;

    /// <summary>Requests per second a caller may sustain (1 to 1,000,000). Default 200.</summary>
    public int PermitsPerSecond { get => _permitsPerSecond; set => _permitsPerSecond = (int)OptionCheck.Between(value, 1, 1_000_000, "PriceIntelApi:RateLimit:PermitsPerSecond"); }

    /// <summary>Requests a caller may make at once after being idle (1 to 1,000,000). Default 400.</summary>
    public int Burst { get => _burst; set => _burst = (int)OptionCheck.Between(value, 1, 1_000_000, "PriceIntelApi:RateLimit:Burst"); }
}

/// <summary>Pacing of the live feed (Server-Sent Events).</summary>
public sealed class FeedOptions
{
    private int _maxItemsPerSecond = 50;
    private double _summaryIntervalSeconds = 1;

    /// <summary>Most signals and decisions sent to one subscriber per second (1 to 100,000); the rest are counted in the next summary. Default 50.</summary>
    public int MaxItemsPerSecond { get => _maxItemsPerSecond; set => _maxItemsPerSecond = (int)OptionCheck.Between(value, 1, 100_000, "PriceIntelApi:Feed:MaxItemsPerSecond"); }

    /// <summary>Seconds between summary events (0.1 to 3,600). Default 1.</summary>
    public double SummaryIntervalSeconds
    {
        get => _summaryIntervalSeconds;
        set => _summaryIntervalSeconds = value is >= 0.1 and <= 3600 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "PriceIntelApi:Feed:SummaryIntervalSeconds must be between 0.1 and 3600.");
    }
}

/// <summary>The in-process engine's input and pacing.</summary>
public sealed class EngineHostOptions
{
    private double _simulatorSpeed = 1;
    private int _simulatorProducts = 200;
    private int _simulatorCompetitors = 5;
    private int _queueBatches = 64;

    /// <summary>Input besides HTTP ingest. Default <see cref="EngineInput.Simulator"/>.</summary>
    public EngineInput Input { get; set; } = EngineInput.Simulator;

    /// <summary>Simulated time per wall-clock time (0 to 100,000; 0 runs flat out). Default 1: the simulated market runs in real time, so ingested events with current timestamps fit in.</summary>
    public double SimulatorSpeed
    {
        get => _simulatorSpeed;
        set => _simulatorSpeed = value is >= 0 and <= 100_000 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "PriceIntelApi:Engine:SimulatorSpeed must be between 0 and 100000.");
    }

    /// <summary>Products the simulator generates (1 to 1,000,000). Default 200.</summary>
    public int SimulatorProducts { get => _simulatorProducts; set => _simulatorProducts = (int)OptionCheck.Between(value, 1, 1_000_000, "PriceIntelApi:Engine:SimulatorProducts"); }

    /// <summary>Competitors per product in the simulator (1 to 64). Default 5.</summary>
    public int SimulatorCompetitors { get => _simulatorCompetitors; set => _simulatorCompetitors = (int)OptionCheck.Between(value, 1, 64, "PriceIntelApi:Engine:SimulatorCompetitors"); }

    /// <summary>Simulator seed. Default 42.</summary>
    public ulong SimulatorSeed { get; set; } = 42;

    /// <summary>The JSON Lines file replayed when <see cref="Input"/> is <see cref="EngineInput.Replay"/>.</summary>
    public string? ReplayPath { get; set; }

    /// <summary>Event batches queued for the engine before ingest requests wait (1 to 65,536). Default 64.</summary>
    public int QueueBatches { get => _queueBatches; set => _queueBatches = (int)OptionCheck.Between(value, 1, 65_536, "PriceIntelApi:Engine:QueueBatches"); }

    /// <summary>Append every competitor and list price the engine receives to the store's price history (for charts). Default true.</summary>
    public bool RecordPriceHistory { get; set; } = true;

    /// <summary>Checks the rules that span options.</summary>
    /// <exception cref="ArgumentException">Replay input without a path.</exception>
    public void Validate()
    {
        if (Input == EngineInput.Replay && string.IsNullOrWhiteSpace(ReplayPath))
        {
            throw new ArgumentException("PriceIntelApi:Engine:ReplayPath is required when PriceIntelApi:Engine:Input is Replay.");
        }
    }
}

internal static class OptionCheck
{
    public static long Between(long value, long min, long max, string option) =>
        value >= min && value <= max
            ? value
            : throw new ArgumentOutOfRangeException(option, value, string.Create(CultureInfo.InvariantCulture, $"{option} must be between {min} and {max}; got {value}."));
}
