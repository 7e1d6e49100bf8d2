using Microsoft.Extensions.Configuration;

namespace PriceIntel.Mongo;

/// <summary>Where the MongoDB store lives. Setters check their values; the error names the key.</summary>
public sealed class MongoStoreOptions
{
    /// <summary>The configuration section read by <see cref="Bind"/>: <c>database:mongodb</c>.</summary>
    public const string ConfigurationSection = "database:mongodb";

    private string _connectionString = "mongodb://localhost:27017";
    private string _database = "priceintel";

    /// <summary>The connection string (<c>database.mongodb.uri</c>, or the <c>MONGODB_URI</c> variable). Retryable writes stay on unless it says <c>retryWrites=false</c>.</summary>
    /// <exception cref="ArgumentException">Not a mongodb:// or mongodb+srv:// URI.</exception>
    public string ConnectionString
    {
        get => _connectionString;
        set => _connectionString = value is not null && (value.StartsWith("mongodb://", StringComparison.Ordinal) || value.StartsWith("mongodb+srv://", StringComparison.Ordinal))
            ? value
            : throw new ArgumentException($"database.mongodb.uri must start with mongodb:// or mongodb+srv://; got '{value}'.", nameof(ConnectionString));
    }

    /// <summary>The database name (<c>database.mongodb.database</c>, default <c>priceintel</c>).</summary>
    /// <exception cref="ArgumentException">Empty, or with characters MongoDB does not allow in a database name.</exception>
    public string Database
    {
        get => _database;
        set => _database = !string.IsNullOrWhiteSpace(value) && value.Length <= 63 && value.IndexOfAny(['/', '\\', '.', ' ', '"', '$', '\0']) < 0
            ? value
            : throw new ArgumentException($"database.mongodb.database must be 1 to 63 characters without / \\ . space \" $; got '{value}'.", nameof(Database));
    }

    /// <summary>Reads <c>database:mongodb:uri</c> and <c>database:mongodb:database</c>; <c>MONGODB_URI</c> (a configuration key, e.g. from environment variables) overrides the URI.</summary>
    /// <exception cref="ArgumentException">A value is invalid or a key unknown; the message names the key.</exception>
    public static MongoStoreOptions Bind(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = new MongoStoreOptions();
        foreach (var child in configuration.GetSection(ConfigurationSection).GetChildren())
        {
            var key = $"{ConfigurationSection}:{child.Key}";
            try
            {
                switch (child.Key.Replace("_", "", StringComparison.Ordinal).ToUpperInvariant())
                {
                    case "URI": options.ConnectionString = child.Value ?? string.Empty; break;
                    case "DATABASE": options.Database = child.Value ?? string.Empty; break;
                    default: throw new ArgumentException("unknown key (known: uri, database)");
                }
            }
            catch (ArgumentException ex)
            {
                throw new ArgumentException($"configuration {key} = '{child.Value}': {ex.Message}", key, ex);
            }
        }

        if (configuration["MONGODB_URI"] is { Length: > 0 } uri)
        {
            try
            {
                options.ConnectionString = uri;
            }
            catch (ArgumentException ex)
            {
#pragma warning disable CA2208 // the parameter is the MONGODB_URI variable the value came from
                throw new ArgumentException($"MONGODB_URI: {ex.Message}", "MONGODB_URI", ex);
#pragma warning restore CA2208
            }
        }

        return options;
    }
}
