using System.Globalization;

namespace PriceIntel.ConsoleDemo;

/// <summary>The demo's command line.</summary>
internal sealed record DemoArguments
{
    public const string Usage = """
        PriceIntel console demo: simulate a market (or replay a recorded stream) through the engine
        into the embedded store, with live progress and a summary.

        usage: dotnet run -c Release --project samples/PriceIntel.Console -- [options]
               ... -- --kafka mock [options]              the Kafka mode in one process, no broker
               ... -- --kafka HOST:PORT [options]         process the input topics of a Kafka cluster
               ... -- load --kafka HOST:PORT [options]    publish the simulated market to the input topics

          --products N        products to simulate (default 5000)
          --competitors M     competitors per product (default 8)
          --days D            simulated days (default 7)
          --seed S            simulator seed (default 42); the same seed gives the same run
          --open-loop         do not feed our price decisions back to the simulated shoppers
          --feedback-lag M    minutes of simulated time before shoppers see a new price (default 15)
          --record FILE       also write the input stream to FILE as JSON Lines
          --replay FILE       read the input stream from a JSON Lines FILE instead of simulating
          --config FILE       YAML configuration (default: config/config.yaml when found)
          --out DIR           where the store and rejected inputs go (default ./priceintel-demo)
          --keep-store        keep the store from an earlier run (default: start empty)
          --quiet             no progress lines
          --verbose           log pipeline information, not only warnings
          --help              this text

        Kafka modes (topics, group and client settings from the configuration's kafka: block):
          --kafka HOST:PORT   run the Kafka processor against that cluster (bootstrap servers), printing
                              progress every second, until Ctrl+C or SIGTERM (clean stop: flush, commit,
                              write state, leave the group)
          --group ID          consumer group (default: Kafka:GroupId, "priceintel")
          --until-caught-up   stop cleanly once the owned partitions are caught up for a second
          --kafka mock        start librdkafka's mock cluster in this process (3 brokers), create the
                              topics, publish the simulator (default 500 products x 8 competitors x 1 day),
                              process it until caught up and print a summary; mock defaults unless
                              configured: lz4 compression, commits every 200 ms, max task idle 1 min
          --partitions P      mock: partitions per topic (default 4)
          --keep-running      mock: keep processing after catching up, until Ctrl+C (attach other processes)
          load                first argument: publish the simulator (--products, --competitors, --days,
                              --seed; always open loop) or --replay FILE to the input topics, then flush
          --events-per-message N   load, mock: events per Kafka message (batch envelopes; default 1)
          --create-topics P   load: create the adapter's missing topics with P partitions (dead letter: 1)

        Exit codes: 0 done or clean stop, 1 error, 2 bad arguments or configuration.
        Environment variables override the configuration, e.g. PRICEINTEL_Pricing__MinMargin=0.08,
        PRICEINTEL_Kafka__GroupId=g1, PRICEINTEL_Kafka__CommitInterval=00:00:05,
        PRICEINTEL_Kafka__Topics__PriceUpdates=prices, PRICEINTEL_Kafka__Client__session.timeout.ms=6000.
        """;

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

    public bool KeepStore { get; init; }

    public bool Quiet { get; init; }

    public bool Verbose { get; init; }

    public bool Help { get; init; }

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

    public static DemoArguments Parse(string[] args)
    {
        var result = new DemoArguments();
        var given = new HashSet<string>(StringComparer.Ordinal);
        bool load = args.Length > 0 && args[0] == "load";
        for (int i = load ? 1 : 0; i < args.Length; i++)
        {
            string arg = args[i];
            given.Add(arg);
            result = arg switch
            {
                "--products" => result with { Products = Int(arg, Next(args, ref i), 1, 10_000_000) },
                "--competitors" => result with { Competitors = Int(arg, Next(args, ref i), 1, 64) },
                "--days" => result with { Days = Double(arg, Next(args, ref i), 0.01, 366) },
                "--seed" => result with { Seed = ulong.TryParse(Next(args, ref i), NumberStyles.None, CultureInfo.InvariantCulture, out var s) ? s : throw new ArgumentException($"--seed needs a non-negative integer; got '{args[i]}'") },
                "--open-loop" => result with { Feedback = false },
                "--feedback-lag" => result with { FeedbackLagMinutes = Int(arg, Next(args, ref i), 1, 1000) },
                "--record" => result with { RecordPath = Next(args, ref i) },
                "--replay" => result with { ReplayPath = Existing(arg, Next(args, ref i)) },
                "--config" => result with { ConfigPath = Existing(arg, Next(args, ref i)) },
                "--out" => result with { OutputDirectory = Next(args, ref i) },
                "--keep-store" => result with { KeepStore = true },
                "--quiet" => result with { Quiet = true },
                "--verbose" => result with { Verbose = true },
                "--help" or "-h" => result with { Help = true },
                "--kafka" => Next(args, ref i) is var bootstrap && bootstrap == MockBootstrap
                    ? result with { Mode = DemoMode.KafkaMock, KafkaBootstrap = null }
                    : result with { Mode = DemoMode.KafkaProcess, KafkaBootstrap = Bootstrap(arg, bootstrap) },
                "--group" => result with { GroupId = Text(arg, Next(args, ref i)) },
                "--until-caught-up" => result with { UntilCaughtUp = true },
                "--events-per-message" => result with { EventsPerMessage = Int(arg, Next(args, ref i), 1, 100_000) },
                "--create-topics" => result with { CreateTopicsPartitions = Int(arg, Next(args, ref i), 1, 10_000) },
                "--partitions" => result with { Partitions = Int(arg, Next(args, ref i), 1, 1000) },
                "--keep-running" => result with { KeepRunning = true },
                "load" => throw new ArgumentException("'load' must be the first argument"),
                _ => throw new ArgumentException($"unknown option '{arg}'"),
            };
        }

        if (result.RecordPath is not null && result.ReplayPath is not null
            && Path.GetFullPath(result.RecordPath) == Path.GetFullPath(result.ReplayPath))
        {
            throw new ArgumentException("--record and --replay name the same file");
        }

        return result.Help ? result : CheckMode(result, load, given);
    }

    // Which options each mode takes; an option that would be silently ignored is an error instead.
    private static DemoArguments CheckMode(DemoArguments result, bool load, HashSet<string> given)
    {
        if (load)
        {
            if (result.Mode == DemoMode.Simulate)
            {
                throw new ArgumentException("load needs --kafka HOST:PORT (the cluster to publish to)");
            }

            if (result.Mode == DemoMode.KafkaMock)
            {
                throw new ArgumentException("load publishes to a running cluster; the mock lives only inside 'dotnet ... --kafka mock' (use its printed bootstrap address)");
            }

            result = result with { Mode = DemoMode.KafkaLoad };
        }

        string[] allowed = result.Mode switch
        {
            DemoMode.Simulate => ["--products", "--competitors", "--days", "--seed", "--open-loop", "--feedback-lag", "--record", "--replay", "--config", "--out", "--keep-store", "--quiet", "--verbose"],
            DemoMode.KafkaProcess => ["--kafka", "--group", "--until-caught-up", "--config", "--quiet", "--verbose"],
            DemoMode.KafkaLoad => ["--kafka", "--products", "--competitors", "--days", "--seed", "--open-loop", "--replay", "--events-per-message", "--create-topics", "--config", "--quiet", "--verbose"],
            DemoMode.KafkaMock => ["--kafka", "--products", "--competitors", "--days", "--seed", "--open-loop", "--replay", "--events-per-message", "--partitions", "--keep-running", "--until-caught-up", "--group", "--config", "--quiet", "--verbose"],
            _ => throw new ArgumentOutOfRangeException(nameof(result), result.Mode, null),
        };
        foreach (var option in given)
        {
            if (Array.IndexOf(allowed, option) < 0)
            {
                throw new ArgumentException(result.Mode switch
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
            throw new ArgumentException("--keep-running and --until-caught-up contradict each other");
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

    private static string Next(string[] args, ref int i)
    {
        if (i + 1 >= args.Length)
        {
            throw new ArgumentException($"{args[i]} needs a value");
        }

        return args[++i];
    }

    private static int Int(string option, string value, int min, int max) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max
            ? n
            : throw new ArgumentException($"{option} needs an integer from {min} to {max}; got '{value}'");

    private static double Double(string option, string value, double min, double max) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && d >= min && d <= max
            ? d
            : throw new ArgumentException($"{option} needs a number from {min} to {max}; got '{value}'");

    private static string Text(string option, string value) =>
        string.IsNullOrWhiteSpace(value) ? throw new ArgumentException($"{option} needs a non-empty value") : value.Trim();

    // host:port[,host:port...]; the client resolves the names, this only catches a missing or bad port.
    private static string Bootstrap(string option, string value)
    {
        foreach (var server in value.Split(',', StringSplitOptions.TrimEntries))
        {
            int colon = server.LastIndexOf(':');
            if (colon <= 0 || !int.TryParse(server.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port is < 1 or > 65535)
            {
                throw new ArgumentException($"{option} needs 'mock' or bootstrap servers as host:port[,host:port...]; got '{value}'");
            }
        }

        return value.Trim();
    }

    private static string Existing(string option, string path) =>
        File.Exists(path) ? path : throw new ArgumentException($"{option}: file '{path}' does not exist");
}

/// <summary>What the demo does.</summary>
internal enum DemoMode
{
    /// <summary>Simulator or replay → engine → embedded store, in one process (the default).</summary>
    Simulate,

    /// <summary><c>--kafka HOST:PORT</c>: a <c>KafkaMarketProcessor</c> against a cluster.</summary>
    KafkaProcess,

    /// <summary><c>load --kafka HOST:PORT</c>: publish the simulator to the input topics.</summary>
    KafkaLoad,

    /// <summary><c>--kafka mock</c>: mock cluster, load and process in one process.</summary>
    KafkaMock,
}
