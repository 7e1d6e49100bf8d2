namespace PriceIntel.ConsoleDemo.Commands;

/// <summary>Entry of the <c>train</c> and <c>backtest</c> commands (PriceIntel.ML).</summary>
internal static class MlCommands
{
    public static bool Handles(string[] args) => args.Length > 0 && args[0] is "train" or "backtest";

    /// <summary>Runs the command; exit code 0 done, 1 error, 2 bad arguments.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        bool train = args[0] == "train";
        if (args.Skip(1).Any(a => a is "--help" or "-h"))
        {
            Console.WriteLine(train ? TrainCommand.Usage : BacktestCommand.Usage);
            return 0;
        }

        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };
        try
        {
            return train
                ? await TrainCommand.RunAsync(TrainCommand.ParseOptions(args.Skip(1)), cancel.Token)
                : await BacktestCommand.RunAsync(BacktestCommand.ParseOptions(args.Skip(1)), cancel.Token);
        }
        catch (ArgumentException ex)
        {
            Console.Error.WriteLine($"error: {ex.Message}");
            Console.Error.WriteLine($"run 'PriceIntel.Console {args[0]} --help' for usage");
            return 2;
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"error: {ex.Message}");
            return 1;
        }
    }
}
