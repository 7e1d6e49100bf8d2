namespace PriceIntel;

/// <summary>A store could not do what was asked; the message names the store's location (path or server).</summary>
public class MarketStoreException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="location">The store's path or server.</param>
    /// <param name="message">What went wrong, naming <paramref name="location"/>.</param>
    /// <param name="innerException">The underlying error, or null.</param>
    public MarketStoreException(string location, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Location = location;
    }

    /// <summary>The store's path or server.</summary>
    public string Location { get; }
}

/// <summary>Another process (or another store object in this one) has the store open for writing.</summary>
public sealed class StoreInUseException : MarketStoreException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="location">The store's path.</param>
    /// <param name="innerException">The underlying error, or null.</param>
    public StoreInUseException(string location, Exception? innerException = null)
        : base(location, $"store in use: '{location}' is open in another process (one writer at a time); stop it or choose another store path", innerException)
    {
    }
}

/// <summary>The store has no room left (disk full, or its configured size limit reached) and retries did not help; the batch was not stored.</summary>
public sealed class StoreFullException : MarketStoreException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="location">The store's path or server.</param>
    /// <param name="innerException">The underlying error, or null.</param>
    public StoreFullException(string location, Exception? innerException = null)
        : base(location, $"store full: no room left to write to '{location}' (disk full or size limit reached); the last batch was not stored", innerException)
    {
    }
}
