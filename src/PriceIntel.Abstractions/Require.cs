namespace PriceIntel;

/// <summary>Range checks for option setters: the error names the option and the value.</summary>
internal static class Require
{
    public static double Fraction(double value, string option, double min = 0, double max = 1)
    {
        if (!double.IsFinite(value) || value < min || value > max)
        {
            throw new ArgumentOutOfRangeException(option, value, $"{option} must be between {min} and {max}; got {value}.");
        }

        return value;
    }

    public static double Positive(double value, string option)
    {
        if (!double.IsFinite(value) || value <= 0)
        {
            throw new ArgumentOutOfRangeException(option, value, $"{option} must be a positive number; got {value}.");
        }

        return value;
    }

    public static int AtLeast(int value, int min, string option)
    {
        if (value < min)
        {
            throw new ArgumentOutOfRangeException(option, value, $"{option} must be at least {min}; got {value}.");
        }

        return value;
    }

    public static int Between(int value, int min, int max, string option)
    {
        if (value < min || value > max)
        {
            throw new ArgumentOutOfRangeException(option, value, $"{option} must be between {min} and {max}; got {value}.");
        }

        return value;
    }
}
