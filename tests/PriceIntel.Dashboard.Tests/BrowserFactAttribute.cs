namespace PriceIntel.Dashboard.Tests;

/// <summary>A test that needs Debian's Chromium at /usr/bin/chromium; reported as skipped, saying why, when it is missing.</summary>
public sealed class BrowserFactAttribute : FactAttribute
{
    public const string ChromiumPath = "/usr/bin/chromium";

    public BrowserFactAttribute()
    {
        if (!File.Exists(ChromiumPath))
        {
            Skip = $"Chromium is not installed at {ChromiumPath} (apt-get install chromium; .ci/run installs it): browser tests skipped.";
        }
    }
}
