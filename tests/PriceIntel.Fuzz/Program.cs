using System.Globalization;
using PriceIntel.Fuzz;

// PriceIntel's fuzzer. Commands:
//   run [--target NAME[,NAME…]] [--seconds N per target] [--iterations N per target] [--seed S]
//       [--fail-on crash,hang,alloc,slow]   which finding kinds make the exit code 1 (default: all; every
//                                           finding is saved either way; "slow" depends on machine load)
//   replay [--target NAME]          every corpus and regression input once; exit 1 on any contract break
//   list                            the targets
// Findings go to tests/PriceIntel.Fuzz/findings/<target>/ (kind-sha.bin + .why); move a fixed one to
// regressions/<target>/ so every later run and the test suite replay it.
var arguments = args.ToList();
var command = arguments.Count > 0 ? arguments[0] : "run";
string? Option(string name)
{
    var i = arguments.IndexOf(name);
    return i >= 0 && i + 1 < arguments.Count ? arguments[i + 1] : null;
}

try
{
    var targets = FuzzTargets.Select(Option("--target"));
    switch (command)
    {
        case "list":
            foreach (var t in FuzzTargets.All)
            {
                Console.WriteLine($"{t.Name,-16} budget {t.TimeBudget.TotalMilliseconds:F0} ms, max input {t.MaxInputBytes:N0} bytes");
            }

            return 0;
        case "replay":
            var failures = 0;
            foreach (var target in targets)
            {
                var inputs = Corpus.Load(target);
                var broken = inputs.Select(i => Verdict.Judge(target, i)).Count(v => !v.Ok);
                Console.WriteLine($"{target.Name}: {inputs.Count} inputs replayed, {broken} broke the contract");
                failures += broken;
            }

            return failures == 0 ? 0 : 1;
        case "worker":
            var worker = new FuzzWorker(FuzzTargets.ByName(arguments[1]), int.Parse(arguments[2], CultureInfo.InvariantCulture),
                long.Parse(arguments[3], CultureInfo.InvariantCulture), DateTime.Parse(arguments[4], CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind),
                arguments[5], arguments[6].Split(',').ToHashSet(), Console.Out);
            return worker.Run();
        case "run":
            var seconds = double.Parse(Option("--seconds") ?? "60", CultureInfo.InvariantCulture);
            var iterations = long.Parse(Option("--iterations") ?? long.MaxValue.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
            var seed = int.Parse(Option("--seed") ?? "1", CultureInfo.InvariantCulture);
            var failOn = Option("--fail-on") ?? "crash,hang,alloc,slow";
            return Supervisor.Run(targets, seed, iterations, TimeSpan.FromSeconds(seconds), failOn, Console.Out);
        default:
            Console.Error.WriteLine($"unknown command '{command}': use run, replay or list");
            return 2;
    }
}
catch (Exception ex) when (ex is FormatException or ArgumentException or OverflowException)
{
    Console.Error.WriteLine($"fuzz: {ex.Message}");
    return 2;
}
