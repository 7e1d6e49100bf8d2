using System.Globalization;

namespace PriceIntel.ConsoleDemo.Commands;

/// <summary>`--name value` and `--flag` arguments of the train and backtest commands.</summary>
internal sealed class CommandLine
{
    private readonly Dictionary<string, string?> _values = new(StringComparer.Ordinal);

    private CommandLine()
    {
    }

    public static CommandLine Parse(IEnumerable<string> args, IReadOnlySet<string> valued, IReadOnlySet<string> flags)
    {
        var line = new CommandLine();
        using var e = args.GetEnumerator();
        while (e.MoveNext())
        {
            var a = e.Current;
            if (flags.Contains(a))
            {
                line._values[a] = null;
            }
            else if (valued.Contains(a))
            {
                line._values[a] = e.MoveNext() ? e.Current : throw new ArgumentException($"{a} needs a value.");
            }
            else
            {
                throw new ArgumentException($"unknown argument '{a}'.");
            }
        }

        return line;
    }

    public bool Has(string name) => _values.ContainsKey(name);

    public string? String(string name) => _values.TryGetValue(name, out var v) ? v : null;

    public int Int(string name, int fallback) => _values.TryGetValue(name, out var v) && v is not null
        ? int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out int i) ? i : throw new ArgumentException($"{name} must be an integer; got '{v}'.")
        : fallback;

    public double Double(string name, double fallback) => _values.TryGetValue(name, out var v) && v is not null
        ? double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) ? d : throw new ArgumentException($"{name} must be a number; got '{v}'.")
        : fallback;

    public double? OptionalDouble(string name) => Has(name) ? Double(name, 0) : null;
}
