using System.ComponentModel;
using System.Globalization;
using Spectre.Console.Cli;

namespace PriceIntel.ConsoleDemo;

/// <summary>The options of the demo's run and load commands, parsed by Spectre.Console.Cli (<c>--opt value</c> and <c>--opt=value</c>; <c>--help</c> is generated).</summary>
internal sealed class DemoSettings : CommandSettings
{
    [CommandOption("--products <N>")]
    [Description("Products to simulate (default 5000; --kafka mock: 500).")]
    public string? Products { get; init; }

    [CommandOption("--competitors <M>")]
    [Description("Competitors per product (default 8).")]
    public string? Competitors { get; init; }

    [CommandOption("--days <D>")]
    [Description("Simulated days (default 7; --kafka mock: 1).")]
    public string? Days { get; init; }

    [CommandOption("--seed <S>")]
    [Description("Simulator seed (default 42); the same seed gives the same run.")]
    public string? Seed { get; init; }

    [CommandOption("--open-loop")]
    [Description("Do not feed our price decisions back to the simulated shoppers.")]
    public bool OpenLoop { get; init; }

    [CommandOption("--feedback-lag <MINUTES>")]
    [Description("Minutes of simulated time before shoppers see a new price (default 15).")]
    public string? FeedbackLag { get; init; }

    [CommandOption("--record <FILE>")]
    [Description("Also write the input stream to FILE as JSON Lines.")]
    public string? Record { get; init; }

    [CommandOption("--replay <FILE>")]
    [Description("Read the input stream from a JSON Lines FILE instead of simulating.")]
    public string? Replay { get; init; }

    [CommandOption("--config <FILE>")]
    [Description("YAML configuration (default: config/config.yaml when found).")]
    public string? Config { get; init; }

    [CommandOption("--out <DIR>")]
    [Description("Where the store (priceintel.db) and rejected inputs go (default ./priceintel-demo).")]
    public string? Out { get; init; }

    [CommandOption("--store <FILE>")]
    [Description("The SQLite store file (default: database.sqlite.path from the configuration, else DIR/priceintel.db).")]
    public string? Store { get; init; }

    [CommandOption("--fresh-store")]
    [Description("Delete the store's files before the run (the only way the demo deletes history).")]
    public bool FreshStore { get; init; }

    [CommandOption("--keep-store")]
    [Description("Keep the store from earlier runs: the default now; kept for old scripts.")]
    public bool KeepStore { get; init; }

    [CommandOption("--quiet")]
    [Description("No live progress.")]
    public bool Quiet { get; init; }

    [CommandOption("--verbose")]
    [Description("Log pipeline information, not only warnings.")]
    public bool Verbose { get; init; }

    [CommandOption("--kafka <BOOTSTRAP>")]
    [Description("'mock': librdkafka's mock cluster in this process (3 brokers): create the topics, publish the simulator, process until caught up, print a summary. HOST:PORT[[,...]]: run the Kafka processor against that cluster until Ctrl+C or SIGTERM (clean stop: flush, commit, write state, leave the group). Topics, group and client settings come from the configuration's kafka: block.")]
    public string? Kafka { get; init; }

    [CommandOption("--group <ID>")]
    [Description("Kafka consumer group (default: Kafka:GroupId, \"priceintel\").")]
    public string? Group { get; init; }

    [CommandOption("--until-caught-up")]
    [Description("Kafka: stop cleanly once the owned partitions are caught up for a second.")]
    public bool UntilCaughtUp { get; init; }

    [CommandOption("--partitions <P>")]
    [Description("--kafka mock: partitions per topic (default 12).")]
    public string? Partitions { get; init; }

    [CommandOption("--keep-running")]
    [Description("--kafka mock: keep processing after catching up, until Ctrl+C (attach other processes).")]
    public bool KeepRunning { get; init; }

    [CommandOption("--events-per-message <N>")]
    [Description("load, --kafka mock: events per Kafka message (batch envelopes; default 1).")]
    public string? EventsPerMessage { get; init; }

    [CommandOption("--create-topics <P>")]
    [Description("load: create the adapter's missing topics with P partitions (dead letter: 1).")]
    public string? CreateTopics { get; init; }

    /// <summary>The options given on the command line, by their spelling.</summary>
    public HashSet<string> Given()
    {
        var given = new HashSet<string>(StringComparer.Ordinal);
        void Add(bool present, string name)
        {
            if (present)
            {
                given.Add(name);
            }
        }

        Add(Products is not null, "--products");
        Add(Competitors is not null, "--competitors");
        Add(Days is not null, "--days");
        Add(Seed is not null, "--seed");
        Add(OpenLoop, "--open-loop");
        Add(FeedbackLag is not null, "--feedback-lag");
        Add(Record is not null, "--record");
        Add(Replay is not null, "--replay");
        Add(Config is not null, "--config");
        Add(Out is not null, "--out");
        Add(Store is not null, "--store");
        Add(FreshStore, "--fresh-store");
        Add(KeepStore, "--keep-store");
        Add(Quiet, "--quiet");
        Add(Verbose, "--verbose");
        Add(Kafka is not null, "--kafka");
        Add(Group is not null, "--group");
        Add(UntilCaughtUp, "--until-caught-up");
        Add(Partitions is not null, "--partitions");
        Add(KeepRunning, "--keep-running");
        Add(EventsPerMessage is not null, "--events-per-message");
        Add(CreateTopics is not null, "--create-topics");
        return given;
    }
}

/// <summary>A command line that parsed but does not make sense (a value out of range, an option the mode ignores): exit code 2.</summary>
internal sealed class DemoUsageException(string message) : Exception(message);

/// <summary>The demo's checked command line: what every mode reads.</summary>
internal sealed record DemoArguments
{
    /// <summary>The value of <c>--kafka</c> that starts an in-process mock cluster.</summary>
    public const string MockBootstrap = "mock";

    public int Products { get; init; } = 5000;

    public int Competitors { get; init; } = 8;

    public double Days { get; init; } = 7;

    public ulong Seed { get; init; } = 42;

    public bool Feedback { get; init; } = true;

    public int FeedbackLagMinutes { get; init; } = 15;

    public string? RecordPath { get; init; }

    public string? ReplayPath { get; init; }

    public string? ConfigPath { get; init; }

    public string OutputDirectory { get; init; } = "priceintel-demo";

    /// <summary><c>--store FILE</c>; null: the configuration's <c>database.sqlite.path</c>, else <c>OutputDirectory/priceintel.db</c>.</summary>
    public string? StorePath { get; init; }

    /// <summary><c>--fresh-store</c>: delete the store's files before the run.</summary>
    public bool FreshStore { get; init; }

    public bool Quiet { get; init; }

    public bool Verbose { get; init; }

    public DemoMode Mode { get; init; } = DemoMode.Simulate;

    /// <summary>Bootstrap servers from <c>--kafka</c>; null in the default mode and for <c>--kafka mock</c>.</summary>
    public string? KafkaBootstrap { get; init; }

    public string? GroupId { get; init; }

    public bool UntilCaughtUp { get; init; }

    public int? EventsPerMessage { get; init; }

    /// <summary>Partitions for <c>load --create-topics</c>; null: create nothing.</summary>
    public int? CreateTopicsPartitions { get; init; }

    public int Partitions { get; init; } = 12;

    public bool KeepRunning { get; init; }

    /// <summary>Checks parsed settings and turns them into arguments.</summary>
    /// <exception cref="DemoUsageException">A value is out of range or an option does not apply to the mode.</exception>
    public static DemoArguments From(DemoSettings s, bool load)
    {
        var result = new DemoArguments
        {
            Products = s.Products is { } p ? Int("--products", p, 1, 10_000_000) : 5000,
            Competitors = s.Competitors is { } c ? Int("--competitors", c, 1, 64) : 8,
            Days = s.Days is { } d ? Double("--days", d, 0.01, 366) : 7,
            Seed = s.Seed is { } seed ? (ulong.TryParse(seed, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : throw new DemoUsageException($"--seed needs a non-negative integer; got '{seed}'")) : 42,
            Feedback = !s.OpenLoop,
            FeedbackLagMinutes = s.FeedbackLag is { } lag ? Int("--feedback-lag", lag, 1, 1000) : 15,
            RecordPath = s.Record,
            ReplayPath = s.Replay is null ? null : Existing("--replay", s.Replay),
            ConfigPath = s.Config is null ? null : Existing("--config", s.Config),
            OutputDirectory = s.Out ?? "priceintel-demo",
            StorePath = s.Store,
            FreshStore = s.FreshStore,
            Quiet = s.Quiet,
            Verbose = s.Verbose,
            GroupId = s.Group is null ? null : Text("--group", s.Group),
            UntilCaughtUp = s.UntilCaughtUp,
            EventsPerMessage = s.EventsPerMessage is { } e ? Int("--events-per-message", e, 1, 100_000) : null,
            CreateTopicsPartitions = s.CreateTopics is { } t ? Int("--create-topics", t, 1, 10_000) : null,
            Partitions = s.Partitions is { } parts ? Int("--partitions", parts, 1, 1000) : 12,
            KeepRunning = s.KeepRunning,
        };
        if (s.Kafka is not null)
        {
            result = s.Kafka == MockBootstrap
                ? result with { Mode = DemoMode.KafkaMock }
                : result with { Mode = DemoMode.KafkaProcess, KafkaBootstrap = Bootstrap("--kafka", s.Kafka) };
        }

        if (result.RecordPath is not null && result.ReplayPath is not null
            && Path.GetFullPath(result.RecordPath) == Path.GetFullPath(result.ReplayPath))
        {
            throw new DemoUsageException("--record and --replay name the same file");
        }

        if (s.FreshStore && s.KeepStore)
        {
            throw new DemoUsageException("--fresh-store and --keep-store contradict each other");
        }

        return CheckMode(result, load, s.Given());
    }

    // Which options each mode takes; an option that would be silently ignored is an error instead.
    private static DemoArguments CheckMode(DemoArguments result, bool load, HashSet<string> given)
    {
        if (load)
        {
            if (result.Mode == DemoMode.Simulate)
            {
                throw new DemoUsageException("load needs --kafka HOST:PORT (the cluster to publish to)");
            }

            if (result.Mode == DemoMode.KafkaMock)
            {
                throw new DemoUsageException("load publishes to a running cluster; the mock lives only inside 'dotnet ... --kafka mock' (use its printed bootstrap address)");
            }

            result = result with { Mode = DemoMode.KafkaLoad };
        }

        string[] allowed = result.Mode switch
        {
            DemoMode.Simulate => ["--products", "--competitors", "--days", "--seed", "--open-loop", "--feedback-lag", "--record", "--replay", "--config", "--out", "--store", "--fresh-store", "--keep-store", "--quiet", "--verbose"],
            DemoMode.KafkaProcess => ["--kafka", "--group", "--until-caught-up", "--config", "--quiet", "--verbose"],
            DemoMode.KafkaLoad => ["--kafka", "--products", "--competitors", "--days", "--seed", "--open-loop", "--replay", "--events-per-message", "--create-topics", "--config", "--quiet", "--verbose"],
            DemoMode.KafkaMock => ["--kafka", "--products", "--competitors", "--days", "--seed", "--open-loop", "--replay", "--events-per-message", "--partitions", "--keep-running", "--until-caught-up", "--group", "--config", "--quiet", "--verbose"],
            _ => throw new ArgumentOutOfRangeException(nameof(result), result.Mode, null),
        };
        foreach (var option in given)
        {
            if (Array.IndexOf(allowed, option) < 0)
            {
                throw new DemoUsageException(result.Mode switch
                {
                    DemoMode.Simulate => $"{option} needs --kafka",
                    DemoMode.KafkaProcess => $"{option} does not apply to --kafka HOST:PORT (it processes what is in the topics)",
                    DemoMode.KafkaLoad => $"{option} does not apply to load",
                    _ => $"{option} does not apply to --kafka mock",
                });
            }
        }

        if (result.KeepRunning && result.UntilCaughtUp)
        {
            throw new DemoUsageException("--keep-running and --until-caught-up contradict each other");
        }

        if (result.Mode == DemoMode.KafkaMock)
        {
            // A laptop-sized default that also fits the mock brokers, which keep only ~5 MiB per partition.
            result = result with
            {
                Products = given.Contains("--products") ? result.Products : 500,
                Days = given.Contains("--days") ? result.Days : 1,
            };
        }

        return result;
    }

    /// <summary>config/config.yaml in the current directory or beside the program, if there is one.</summary>
    public static string? FindDefaultConfig()
    {
        foreach (var candidate in new[] { Path.Combine("config", "config.yaml"), Path.Combine(AppContext.BaseDirectory, "config", "config.yaml") })
        {
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    private static int Int(string option, string value, int min, int max) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max
            ? n
            : throw new DemoUsageException($"{option} needs an integer from {min} to {max}; got '{value}'");

    private static double Double(string option, string value, double min, double max) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && d >= min && d <= max
            ? d
            : throw new DemoUsageException(string.Create(CultureInfo.InvariantCulture, $"{option} needs a number from {min} to {max}; got '{value}'"));

    private static string Text(string option, string value) =>
        string.IsNullOrWhiteSpace(value) ? throw new DemoUsageException($"{option} needs a non-empty value") : value.Trim();

    // host:port[,host:port...]; the client resolves the names, this only catches a missing or bad port.
    private static string Bootstrap(string option, string value)
    {
        foreach (var server in value.Split(',', StringSplitOptions.TrimEntries))
        {
            int colon = server.LastIndexOf(':');
            if (colon <= 0 || !int.TryParse(server.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port is < 1 or > 65535)
            {
                throw new DemoUsageException($"{option} needs 'mock' or bootstrap servers as host:port[,host:port...]; got '{value}'");
            }
        }

        return value.Trim();
    }

    private static string Existing(string option, string path) =>
        File.Exists(path) ? path
        : Directory.Exists(path) ? throw new DemoUsageException($"{option}: '{path}' is a directory; give a file")
        : throw new DemoUsageException($"{option}: file '{path}' does not exist");
}

/// <summary>What the demo does.</summary>
internal enum DemoMode
{
    /// <summary>Simulator or replay → engine → SQLite store, in one process (the default).</summary>
    Simulate,

    /// <summary><c>--kafka HOST:PORT</c>: a <c>KafkaMarketProcessor</c> against a cluster.</summary>
    KafkaProcess,

    /// <summary><c>load --kafka HOST:PORT</c>: publish the simulator to the input topics.</summary>
    KafkaLoad,

    /// <summary><c>--kafka mock</c>: mock cluster, load and process in one process.</summary>
    KafkaMock,
}
