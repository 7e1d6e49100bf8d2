// Compiled into every package as shared source (not public). Plain comments, not XML docs: the same internal
// member documented in several assemblies breaks tools that merge their XML docs (ASP.NET Core's OpenAPI generator).
// Shared source: compiled into every PriceIntel package that has options (linked from Directory.Build.props),
// so each package's setters give the same errors without a public helper type or InternalsVisibleTo.
namespace PriceIntel.Shared;

// <summary>
// Range checks for option setters. Every error is an <see cref="ArgumentOutOfRangeException"/> whose
// <see cref="ArgumentException.ParamName"/> is the option's configuration key (e.g. <c>Pricing:MinMargin</c>),
// whose <see cref="ArgumentOutOfRangeException.ActualValue"/> is the value, and whose message names both and the
// accepted range, so configuration binders can report it as one line.
// </summary>
internal static class OptionGuard
{
    // <summary>Returns <paramref name="value"/> if it is finite and within [<paramref name="min"/>, <paramref name="max"/>].</summary>
    // <exception cref="ArgumentOutOfRangeException">It is not.</exception>
    public static double Between(double value, double min, double max, string option) =>
        double.IsFinite(value) && value >= min && value <= max ? value : throw OutOfRange(option, value, $"between {min} and {max}");

    // <summary>Returns <paramref name="value"/> if it is within [<paramref name="min"/>, <paramref name="max"/>].</summary>
    // <exception cref="ArgumentOutOfRangeException">It is not.</exception>
    public static int Between(int value, int min, int max, string option) =>
        value >= min && value <= max ? value : throw OutOfRange(option, value, $"between {min} and {max}");

    // <summary>Returns <paramref name="value"/> if it is within [<paramref name="min"/>, <paramref name="max"/>].</summary>
    // <exception cref="ArgumentOutOfRangeException">It is not.</exception>
    public static TimeSpan Between(TimeSpan value, TimeSpan min, TimeSpan max, string option) =>
        value >= min && value <= max ? value : throw OutOfRange(option, value, $"between {min} and {max}");

    // <summary>Returns <paramref name="value"/> if it is a finite number above zero.</summary>
    // <exception cref="ArgumentOutOfRangeException">It is not.</exception>
    public static double Positive(double value, string option) =>
        double.IsFinite(value) && value > 0 ? value : throw OutOfRange(option, value, "a positive number");

    // <summary>Returns <paramref name="value"/> if it is at least <paramref name="min"/>.</summary>
    // <exception cref="ArgumentOutOfRangeException">It is not.</exception>
    public static int AtLeast(int value, int min, string option) =>
        value >= min ? value : throw OutOfRange(option, value, $"at least {min}");

    // <summary>Returns <paramref name="value"/> trimmed if it has any non-blank character.</summary>
    // <exception cref="ArgumentOutOfRangeException">It is null, empty or blank.</exception>
    public static string NotBlank(string? value, string option) =>
        string.IsNullOrWhiteSpace(value)
            ? throw new ArgumentOutOfRangeException(option, value, $"{option} must not be empty.")
            : value.Trim();

    // <summary>The error for <paramref name="option"/> = <paramref name="value"/>: "<c>{option} must be {expected}; got {value}.</c>"</summary>
    public static ArgumentOutOfRangeException OutOfRange(string option, object? value, string expected) =>
        new(option, value, $"{option} must be {expected}; got {value}.");
}
