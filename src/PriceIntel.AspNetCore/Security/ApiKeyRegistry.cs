using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace PriceIntel.AspNetCore.Security;

/// <summary>A known API key: its caller's name, role and allowed ingest kinds. The key itself is never kept.</summary>
internal sealed record ApiKeyIdentity(string Name, string Role, IReadOnlySet<MarketEventKind> IngestKinds);

/// <summary>
/// The API keys the host accepts, held only as SHA-256 hashes: a presented key is hashed and looked
/// up, so neither configuration nor memory needs the keys in clear once the host has started.
/// </summary>
internal sealed class ApiKeyRegistry
{
    private readonly ConcurrentDictionary<string, ApiKeyIdentity> _byHash = new(StringComparer.Ordinal);

    public ApiKeyRegistry(IOptions<PriceIntelApiOptions> options)
    {
        var o = options.Value;
        o.Validate();
        if (!string.IsNullOrEmpty(o.AdminApiKey))
        {
            _byHash[Hash(o.AdminApiKey)] = new ApiKeyIdentity("admin", PriceIntelRoles.Admin, new HashSet<MarketEventKind>());
        }

        foreach (var key in o.ApiKeys)
        {
            string hash = key.KeyHash?.ToLowerInvariant() ?? Hash(key.Key!);
            _byHash[hash] = new ApiKeyIdentity(key.Name, key.Role, new HashSet<MarketEventKind>(key.IngestKinds));
        }
    }

    public int Count => _byHash.Count;

    /// <summary>SHA-256 of the key's UTF-8 bytes as 64 lower-case hex digits.</summary>
    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    public bool TryGet(string presentedKey, out ApiKeyIdentity? identity) => _byHash.TryGetValue(Hash(presentedKey), out identity);

    /// <summary>Adds a key at run time (admin endpoint); returns false when a key with this hash exists.</summary>
    public bool TryAdd(string key, ApiKeyIdentity identity) => _byHash.TryAdd(Hash(key), identity);

    /// <summary>Removes every key of <paramref name="name"/>; returns how many.</summary>
    public int Remove(string name)
    {
        int removed = 0;
        foreach (var pair in _byHash)
        {
            if (pair.Value.Name == name && _byHash.TryRemove(pair.Key, out _))
            {
                removed++;
            }
        }

        return removed;
    }

    public IReadOnlyList<ApiKeyIdentity> List() => [.. _byHash.Values.OrderBy(k => k.Name, StringComparer.Ordinal)];
}
