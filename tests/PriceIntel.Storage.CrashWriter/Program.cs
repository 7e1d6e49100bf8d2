using PriceIntel;
using PriceIntel.Storage.Sqlite;

// A child process for the store's fault tests:
//   write <db> <batches> <batchSize>  writes batches 0.. of numbered observations (repeats are skipped), prints "batch n" after each commit
//   hold <db>                         opens the store, prints "open", and waits to be killed
//   open <db>                         tries to open the store; prints the error and exits 3 when it cannot
if (args.Length < 2)
{
    Console.Error.WriteLine("usage: write <db> <batches> <batchSize> | hold <db> | open <db>");
    return 2;
}

IMarketStore store;
try
{
    store = SqliteMarketStore.Open(new SqliteStoreOptions { Path = args[1] });
}
catch (MarketStoreException ex)
{
    Console.Out.WriteLine(ex.Message);
    return 3;
}

await using (store)
{
    switch (args[0])
    {
        case "write":
            int batches = int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture);
            int size = int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture);
            for (int b = 0; b < batches; b++)
            {
                await store.AppendCompetitorPricesAsync(CrashWorkload.Batch(b, size), CancellationToken.None);
                Console.Out.WriteLine($"batch {b}");
            }

            break;
        case "hold":
            Console.Out.WriteLine("open");
            await Task.Delay(Timeout.Infinite);
            break;
        default:
            Console.Out.WriteLine("open");
            break;
    }
}

return 0;

/// <summary>The deterministic workload: observation n of the run is product n % 50, competitor n % 7, minute n.</summary>
#pragma warning disable CA1050 // a file with top-level statements cannot declare a namespace; the test project links this type by name
public static class CrashWorkload
#pragma warning restore CA1050
{
    public static readonly DateTimeOffset T0 = DateTimeOffset.FromUnixTimeMilliseconds(1_732_406_400_000);

    public static PriceObservation Observation(long n) =>
        new($"SKU-{n % 50}", $"comp-{n % 7}", "web", 10m + (n % 1000) / 100m, "USD", Availability.InStock, T0.AddMinutes(n));

    public static PriceObservation[] Batch(int batch, int size)
    {
        var result = new PriceObservation[size];
        for (int i = 0; i < size; i++)
        {
            result[i] = Observation(((long)batch * size) + i);
        }

        return result;
    }
}
