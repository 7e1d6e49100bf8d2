using System.Globalization;

namespace PriceIntel.ConsoleDemo;

/// <summary>The demo's command line.</summary>
internal sealed record DemoArguments
{
    public const string Usage = """
        PriceIntel console demo: simulate a market (or replay a recorded stream) through the engine
        into the embedded store, with live progress and a summary.

        usage: dotnet run -c Release --project samples/PriceIntel.Console -- [options]

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

        Environment variables override the configuration, e.g. PRICEINTEL_Pricing__MinMargin=0.08.
        """;

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

    public static DemoArguments Parse(string[] args)
    {
        var result = new DemoArguments();
        for (int i = 0; i < args.Length; i++)
        {
            string arg = args[i];
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
                _ => throw new ArgumentException($"unknown option '{arg}'"),
            };
        }

        if (result.RecordPath is not null && result.ReplayPath is not null
            && Path.GetFullPath(result.RecordPath) == Path.GetFullPath(result.ReplayPath))
        {
            throw new ArgumentException("--record and --replay name the same file");
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

    private static string Existing(string option, string path) =>
        File.Exists(path) ? path : throw new ArgumentException($"{option}: file '{path}' does not exist");
}
