using Spectre.Console;

namespace PriceIntel.ConsoleDemo.Commands;

/// <summary>Turns the ML options' own checks into one-line argument errors that name the command-line option.</summary>
internal static class MlArguments
{
    /// <summary>Runs <paramref name="apply"/> (an options setter); its <see cref="ArgumentException"/> becomes one naming <paramref name="option"/>.</summary>
    /// <exception cref="ArgumentException">The value was refused.</exception>
    public static void Apply(string option, Action apply)
    {
        try
        {
            apply();
        }
        catch (ArgumentException ex)
        {
            throw new ArgumentException($"{option}: {FirstLine(ex)}", ex);
        }
    }

    /// <summary>Success, or the first line of the refusal <paramref name="check"/> throws.</summary>
    public static ValidationResult Validate(Action check)
    {
        try
        {
            check();
            return ValidationResult.Success();
        }
        catch (ArgumentException ex)
        {
            return ValidationResult.Error(FirstLine(ex));
        }
    }

    // ArgumentOutOfRangeException appends "(Parameter 'X')" and "Actual value was V." on further lines.
    private static string FirstLine(ArgumentException ex)
    {
        var message = ex.Message;
        int cut = message.IndexOfAny(['\r', '\n']);
        message = cut >= 0 ? message[..cut] : message;
        return ex.ParamName is { } name ? message.Replace($" (Parameter '{name}')", string.Empty, StringComparison.Ordinal) : message;
    }
}
