using System.Collections.Frozen;
using System.Reflection;
using System.Security.Cryptography;

namespace PriceIntel.Dashboard;

/// <summary>The dashboard's files, embedded in this assembly (plotly.js included), with content types and ETags.</summary>
internal sealed class DashboardAssets
{
    private const string Prefix = "dashboard/";

    private static readonly FrozenDictionary<string, string> ContentTypes = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".svg"] = "image/svg+xml",
        [".png"] = "image/png",
        [".ico"] = "image/x-icon",
    }.ToFrozenDictionary();

    public static DashboardAssets Instance { get; } = new(typeof(DashboardAssets).Assembly);

    private readonly FrozenDictionary<string, Asset> _assets;

    private DashboardAssets(Assembly assembly)
    {
        var assets = new Dictionary<string, Asset>(StringComparer.Ordinal);
        foreach (string name in assembly.GetManifestResourceNames())
        {
            if (!name.StartsWith(Prefix, StringComparison.Ordinal))
            {
                continue;
            }

            using var stream = assembly.GetManifestResourceStream(name)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            byte[] bytes = copy.ToArray();
            string path = name[Prefix.Length..];
            string type = ContentTypes.GetValueOrDefault(Path.GetExtension(path), "application/octet-stream");
            assets[path] = new Asset(bytes, type, "\"" + Convert.ToHexStringLower(SHA256.HashData(bytes))[..20] + "\"");
        }

        _assets = assets.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>Every asset path (relative, e.g. <c>index.html</c>, <c>lib/plotly.min.js</c>).</summary>
    public IEnumerable<string> Paths => _assets.Keys;

    public bool TryGet(string path, out Asset asset) => _assets.TryGetValue(path, out asset!);

    /// <summary>One file: its bytes, content type and ETag.</summary>
    internal sealed record Asset(byte[] Bytes, string ContentType, string ETag);
}
