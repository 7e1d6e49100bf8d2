namespace PriceIntel.Engine.Tests.Anomaly;

/// <summary>Seeded synthetic price series for detector tests.</summary>
internal sealed class SyntheticSeries(int seed)
{
    private readonly Random _random = new(seed);

    /// <summary>Level × (1 + u), u uniform in ±<paramref name="halfWidth"/> (the "±0.5 % noise" series).</summary>
    public double Uniform(double level, double halfWidth = 0.005) => level * (1 + (halfWidth * ((2 * _random.NextDouble()) - 1)));

    /// <summary>Level × (1 + σ·z), z standard normal (a harder, unbounded noise model).</summary>
    public double Gaussian(double level, double sigma = 0.005) => level * (1 + (sigma * StandardNormal()));

    /// <summary>A level between 1 and 1000, log-uniform.</summary>
    public double Level() => Math.Exp(_random.NextDouble() * Math.Log(1000));

    public int Next(int max) => _random.Next(max);

    private double StandardNormal()
    {
        double u1 = 1.0 - _random.NextDouble();
        double u2 = _random.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
