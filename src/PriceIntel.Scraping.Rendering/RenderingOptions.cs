namespace PriceIntel.Scraping.Rendering;

/// <summary>Settings of the rendering fetcher (<see cref="RenderingFetcher.Create"/>).</summary>
public sealed class RenderingOptions
{
    private string _executablePath = "/usr/bin/chromium";
    private TimeSpan _renderTimeout = TimeSpan.FromSeconds(30);
    private int _maxConcurrentPages = 2;

    /// <summary>
    /// Hosts whose pages are built by JavaScript and must be rendered ("shop.example" also covers
    /// "www.shop.example"). Every other host is fetched plainly by the inner fetcher. Empty by default.
    /// </summary>
    public ISet<string> Hosts { get; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>The Chromium binary. Default <c>/usr/bin/chromium</c> (Debian's <c>chromium</c> package); no browser is downloaded.</summary>
    /// <exception cref="ArgumentException">Empty.</exception>
    public string ExecutablePath
    {
        get => _executablePath;
        set => _executablePath = !string.IsNullOrWhiteSpace(value) ? value : throw new ArgumentException($"ExecutablePath must name the Chromium binary; got '{value}'.", nameof(ExecutablePath));
    }

    /// <summary>Command-line flags for Chromium. Default: no sandbox (containers), no GPU, no background networking, no component updates.</summary>
    public IList<string> BrowserArguments { get; } = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"];

    /// <summary>Longest time one page may take to render (navigation, scripts, network idle). Default 30 s.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not between 1 s and 10 min.</exception>
    public TimeSpan RenderTimeout
    {
        get => _renderTimeout;
        set => _renderTimeout = value >= TimeSpan.FromSeconds(1) && value <= TimeSpan.FromMinutes(10) ? value : throw new ArgumentOutOfRangeException(nameof(RenderTimeout), value, $"RenderTimeout must be between 1 s and 10 min; got {value}.");
    }

    /// <summary>Pages rendered at once (each is a browser context). Default 2.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not between 1 and 32.</exception>
    public int MaxConcurrentPages
    {
        get => _maxConcurrentPages;
        set => _maxConcurrentPages = value is >= 1 and <= 32 ? value : throw new ArgumentOutOfRangeException(nameof(MaxConcurrentPages), value, $"MaxConcurrentPages must be between 1 and 32; got {value}.");
    }

    /// <summary>True when pages of <paramref name="host"/> are rendered.</summary>
    /// <param name="host">A host name.</param>
    public bool Renders(string host)
    {
        ArgumentNullException.ThrowIfNull(host);
        foreach (var configured in Hosts)
        {
            if (host.Equals(configured, StringComparison.OrdinalIgnoreCase) || host.EndsWith("." + configured, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
