namespace PriceIntel.Dashboard.Tests;

/// <summary>
/// A test that needs Debian's Chromium at /usr/bin/chromium; reported as skipped, saying why, when it is missing.
/// Every browser test has a hard time limit, so a stuck browser fails the test instead of hanging the run.
/// </summary>
public sealed class BrowserFactAttribute : FactAttribute
{
    public const string ChromiumPath = "/usr/bin/chromium";

    public BrowserFactAttribute()
    {
        Timeout = 120_000;
        if (!File.Exists(ChromiumPath))
        {
            Skip = $"Chromium is not installed at {ChromiumPath} (apt-get install chromium; .ci/run installs it): browser tests skipped.";
        }
    }
}

/// <summary>
/// A measurement, not a test: runs only when PRICEINTEL_DASHBOARD_MEASURE=1 (it takes a while and its figures
/// mean something only on an idle machine), and needs Chromium.
/// </summary>
public sealed class MeasurementFactAttribute : FactAttribute
{
    public const string Variable = "PRICEINTEL_DASHBOARD_MEASURE";

    public MeasurementFactAttribute()
    {
        Timeout = 300_000;
        if (Environment.GetEnvironmentVariable(Variable) != "1")
        {
            Skip = $"A measurement: set {Variable}=1 to run it (on an idle machine).";
        }
        else if (!File.Exists(BrowserFactAttribute.ChromiumPath))
        {
            Skip = $"Chromium is not installed at {BrowserFactAttribute.ChromiumPath}.";
        }
    }
}
