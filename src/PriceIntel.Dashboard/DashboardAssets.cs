using System.Collections.Frozen;
using System.IO.Compression;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace PriceIntel.Dashboard;

/// <summary>
/// The dashboard's files, embedded in this assembly (plotly.js included), with content types, ETags and
/// Brotli/gzip copies of the text files (compressed once, when the dashboard is mapped). The page refers to
/// plotly.js by a versioned URL (<c>lib/plotly.min.js?v=&lt;hash&gt;</c>), so browsers may cache it for good.
/// </summary>
internal sealed partial class DashboardAssets
{
    /// <summary>The plotly.js bundle's path; index.html asks for it with <c>?v=</c> its hash.</summary>
    public const string PlotlyPath = "lib/plotly.min.js";

    private const string Prefix = "dashboard/";

    private static readonly FrozenDictionary<string, string> ContentTypes = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".svg"] = "image/svg+xml",
        [".png"] = "image/png",
        [".ico"] = "image/x-icon",
        [".txt"] = "text/plain; charset=utf-8",
    }.ToFrozenDictionary();

    public static DashboardAssets Instance { get; } = new(typeof(DashboardAssets).Assembly);

    private readonly FrozenDictionary<string, Asset> _assets;

    private DashboardAssets(Assembly assembly)
    {
        var raw = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (string name in assembly.GetManifestResourceNames())
        {
            if (!name.StartsWith(Prefix, StringComparison.Ordinal))
            {
                continue;
            }

            using var stream = assembly.GetManifestResourceStream(name)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            raw[name[Prefix.Length..]] = copy.ToArray();
        }

        PlotlyVersion = raw.TryGetValue(PlotlyPath, out byte[]? plotly) ? Hash(plotly) : "";
        IndexContentSecurityPolicy = ContentSecurityPolicy(raw.TryGetValue("index.html", out byte[]? page) ? Encoding.UTF8.GetString(page) : "");
        if (raw.TryGetValue("index.html", out byte[]? index) && PlotlyVersion.Length > 0)
        {
            raw["index.html"] = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(index).Replace($"\"{PlotlyPath}\"", $"\"{PlotlyPath}?v={PlotlyVersion}\"", StringComparison.Ordinal));
        }

        var assets = new Dictionary<string, Asset>(StringComparer.Ordinal);
        foreach (var (path, bytes) in raw)
        {
            string type = ContentTypes.GetValueOrDefault(Path.GetExtension(path), "application/octet-stream");
            bool text = type.StartsWith("text/", StringComparison.Ordinal) || type == "image/svg+xml";
            assets[path] = new Asset(
                bytes,
                type,
                "\"" + Hash(bytes) + "\"",
                text ? Compress(bytes, s => new BrotliStream(s, CompressionLevel.Optimal)) : null,
                text ? Compress(bytes, s => new GZipStream(s, CompressionLevel.Optimal)) : null);
        }

        _assets = assets.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>Every asset path (relative, e.g. <c>index.html</c>, <c>lib/plotly.min.js</c>).</summary>
    public IEnumerable<string> Paths => _assets.Keys;

    /// <summary>The hash index.html puts in plotly.js's URL ("" when the bundle is missing).</summary>
    public string PlotlyVersion { get; }

    /// <summary>
    /// index.html's Content-Security-Policy: everything from this host, and of inline scripts only the page's own
    /// (allowed by their SHA-256 hashes, so an injected one does not run).
    /// </summary>
    public string IndexContentSecurityPolicy { get; }

    public bool TryGet(string path, out Asset asset) => _assets.TryGetValue(path, out asset!);

    private static string ContentSecurityPolicy(string page)
    {
        var scripts = new StringBuilder("'self'");
        foreach (Match inline in InlineScript().Matches(page))
        {
            scripts.Append(" 'sha256-").Append(Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(inline.Groups["body"].Value)))).Append('\'');
        }

        return $"default-src 'self'; script-src {scripts}; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'";
    }

    /// <summary>A script element without a src attribute, and its text.</summary>
    [GeneratedRegex("<script(?![^>]*\\ssrc=)[^>]*>(?<body>.*?)</script>", RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    private static partial Regex InlineScript();

    private static string Hash(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes))[..20];

    private static byte[] Compress(byte[] bytes, Func<Stream, Stream> compressor)
    {
        using var output = new MemoryStream();
        using (var stream = compressor(output))
        {
            stream.Write(bytes);
        }

        return output.ToArray();
    }

    /// <summary>One file: its bytes, content type, ETag, and its Brotli and gzip encodings (text files only).</summary>
    internal sealed record Asset(byte[] Bytes, string ContentType, string ETag, byte[]? Brotli, byte[]? Gzip);
}
