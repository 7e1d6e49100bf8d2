namespace PriceIntel;

/// <summary>
/// A catalog entry. Prices are in <see cref="Currency"/>; null means not set. Equality compares
/// <see cref="WatchUrls"/> item by item.
/// </summary>
/// <param name="Sku">Product key, as the engine and events know it (1 to 256 characters).</param>
/// <param name="Name">Display name.</param>
/// <param name="Category">Category, or null.</param>
/// <param name="Currency">ISO 4217 code of every price here.</param>
/// <param name="UnitCost">Our unit cost.</param>
/// <param name="CurrentPrice">Our current shelf price.</param>
/// <param name="MapPrice">Minimum advertised price set by the manufacturer.</param>
/// <param name="MinPrice">Lowest price we may set.</param>
/// <param name="MaxPrice">Highest price we may set.</param>
/// <param name="Stock">Units on hand.</param>
/// <param name="WatchUrls">Competitor pages that list this product.</param>
/// <param name="Created">When the entry was first stored (kept by upserts).</param>
/// <param name="Updated">When the entry last changed.</param>
public sealed record CatalogProduct(
    string Sku,
    string Name,
    string? Category,
    string Currency,
    decimal? UnitCost,
    decimal? CurrentPrice,
    decimal? MapPrice,
    decimal? MinPrice,
    decimal? MaxPrice,
    int? Stock,
    IReadOnlyList<string> WatchUrls,
    DateTimeOffset Created,
    DateTimeOffset Updated)
{
    /// <summary>Checks every field; the message names the field and value.</summary>
    /// <exception cref="ArgumentException">A field is invalid.</exception>
    public void Validate()
    {
        StoreValidation.Key(Sku, "CatalogProduct.Sku");
        StoreValidation.Text(Name, "CatalogProduct.Name", 1024);
        if (Category is not null)
        {
            StoreValidation.Text(Category, "CatalogProduct.Category", 256);
        }

        StoreValidation.Currency(Currency, "CatalogProduct.Currency");
        StoreValidation.OptionalAmount(UnitCost, "CatalogProduct.UnitCost");
        StoreValidation.OptionalAmount(CurrentPrice, "CatalogProduct.CurrentPrice");
        StoreValidation.OptionalAmount(MapPrice, "CatalogProduct.MapPrice");
        StoreValidation.OptionalAmount(MinPrice, "CatalogProduct.MinPrice");
        StoreValidation.OptionalAmount(MaxPrice, "CatalogProduct.MaxPrice");
        if (MinPrice is { } min && MaxPrice is { } max && min > max)
        {
            throw new ArgumentException($"CatalogProduct.MinPrice ({min}) must not exceed CatalogProduct.MaxPrice ({max}) for SKU '{Sku}'.", nameof(MinPrice));
        }

        if (Stock is < 0)
        {
            throw new ArgumentException($"CatalogProduct.Stock must not be negative; got {Stock} for SKU '{Sku}'.", nameof(Stock));
        }

        ArgumentNullException.ThrowIfNull(WatchUrls);
        foreach (var url in WatchUrls)
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                throw new ArgumentException($"CatalogProduct.WatchUrls must hold absolute http(s) URLs; got '{url}' for SKU '{Sku}'.", nameof(WatchUrls));
            }
        }
    }

    /// <inheritdoc />
    public bool Equals(CatalogProduct? other) =>
        other is not null
        && Sku == other.Sku && Name == other.Name && Category == other.Category && Currency == other.Currency
        && UnitCost == other.UnitCost && CurrentPrice == other.CurrentPrice && MapPrice == other.MapPrice
        && MinPrice == other.MinPrice && MaxPrice == other.MaxPrice && Stock == other.Stock
        && WatchUrls.SequenceEqual(other.WatchUrls) && Created == other.Created && Updated == other.Updated;

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Sku, Name, CurrentPrice, Updated);
}

/// <summary>One competitor price as seen on a platform.</summary>
/// <param name="Product">Product key (SKU).</param>
/// <param name="Competitor">Competitor key.</param>
/// <param name="Platform">Where it was seen (page, API, feed), or null.</param>
/// <param name="Price">The price (kept to four decimals).</param>
/// <param name="Currency">ISO 4217 code.</param>
/// <param name="Availability">Stock status shown.</param>
/// <param name="Time">Event time (kept to the millisecond).</param>
public sealed record PriceObservation(
    string Product,
    string Competitor,
    string? Platform,
    decimal Price,
    string Currency,
    Availability Availability,
    DateTimeOffset Time)
{
    /// <summary>Deterministic id: product, competitor, platform and time (see <see cref="StoreIds.Observation"/>).</summary>
    public ulong Id => StoreIds.Observation(Product, Competitor, Platform, Time.ToUnixTimeMilliseconds());

    /// <summary>Checks every field.</summary>
    /// <exception cref="ArgumentException">A field is invalid; the message names it.</exception>
    public void Validate()
    {
        StoreValidation.Key(Product, "PriceObservation.Product");
        StoreValidation.Key(Competitor, "PriceObservation.Competitor");
        if (Platform is not null)
        {
            StoreValidation.Key(Platform, "PriceObservation.Platform");
        }

        StoreValidation.Price(Price, "PriceObservation.Price");
        StoreValidation.Currency(Currency, "PriceObservation.Currency");
    }
}

/// <summary>The width of a <see cref="PriceBucket"/>.</summary>
public enum PriceBucketSize : byte
{
    /// <summary>One minute (UTC).</summary>
    Minute = 1,

    /// <summary>One hour (UTC).</summary>
    Hour = 2,

    /// <summary>One day (UTC).</summary>
    Day = 3,
}

/// <summary>Competitor prices of one product and competitor rolled up over one bucket of time, for charts over months.</summary>
/// <param name="Product">Product key.</param>
/// <param name="Competitor">Competitor key.</param>
/// <param name="Size">Bucket width.</param>
/// <param name="Start">Bucket start (UTC, aligned to the width).</param>
/// <param name="Open">Price of the earliest observation in the bucket.</param>
/// <param name="High">Highest price.</param>
/// <param name="Low">Lowest price.</param>
/// <param name="Close">Price of the latest observation.</param>
/// <param name="Count">Observations rolled up.</param>
/// <param name="Currency">Currency of the latest observation.</param>
public sealed record PriceBucket(
    string Product,
    string Competitor,
    PriceBucketSize Size,
    DateTimeOffset Start,
    decimal Open,
    decimal High,
    decimal Low,
    decimal Close,
    long Count,
    string Currency)
{
    /// <summary>Deterministic id: product, competitor, size and start.</summary>
    public ulong Id => StoreIds.Bucket(Product, Competitor, Size, Start.ToUnixTimeMilliseconds());

    /// <summary>The bucket start of a time, Unix milliseconds.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The size is not defined.</exception>
    public static long StartOf(long unixMilliseconds, PriceBucketSize size)
    {
        var width = WidthMilliseconds(size);
        return unixMilliseconds - (((unixMilliseconds % width) + width) % width);
    }

    /// <summary>The width of a bucket size in milliseconds.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The size is not defined.</exception>
    public static long WidthMilliseconds(PriceBucketSize size) => size switch
    {
        PriceBucketSize.Minute => 60_000L,
        PriceBucketSize.Hour => 3_600_000L,
        PriceBucketSize.Day => 86_400_000L,
        _ => throw new ArgumentOutOfRangeException(nameof(size), size, "PriceBucketSize must be Minute, Hour or Day."),
    };
}

/// <summary>Where a point of our own price history came from.</summary>
public enum OurPriceSource : byte
{
    /// <summary>A list price set outside PriceIntel (a <see cref="MarketEventKind.ListPrice"/> event).</summary>
    ListPrice = 1,

    /// <summary>An engine pricing decision that changed the price.</summary>
    Decision = 2,

    /// <summary>A price set by hand (<see cref="IDecisionStore.RecordManualDecisionAsync"/>).</summary>
    Manual = 3,
}

/// <summary>One point of our own price history.</summary>
/// <param name="Id">Deterministic id: the decision's id, or <see cref="StoreIds.ListPrice"/> for list prices.</param>
/// <param name="Product">Product key.</param>
/// <param name="Price">Our price from this time on.</param>
/// <param name="Currency">ISO 4217 code.</param>
/// <param name="Source">What set it.</param>
/// <param name="Time">Event time.</param>
public sealed record OurPricePoint(ulong Id, string Product, decimal Price, string Currency, OurPriceSource Source, DateTimeOffset Time)
{
    /// <summary>Checks every field.</summary>
    /// <exception cref="ArgumentException">A field is invalid; the message names it.</exception>
    public void Validate()
    {
        StoreValidation.Key(Product, "OurPricePoint.Product");
        StoreValidation.Price(Price, "OurPricePoint.Price");
        StoreValidation.Currency(Currency, "OurPricePoint.Currency");
        if (!Enum.IsDefined(Source))
        {
            throw new ArgumentException($"OurPricePoint.Source must be ListPrice, Decision or Manual; got {Source}.", nameof(Source));
        }
    }
}

/// <summary>Who acknowledged a signal, when, and optionally why.</summary>
/// <param name="By">Who (user name or id, 1 to 256 characters).</param>
/// <param name="At">When.</param>
/// <param name="Note">Free text (at most 4,096 characters), or null.</param>
public sealed record SignalAcknowledgement(string By, DateTimeOffset At, string? Note)
{
    /// <summary>Checks every field.</summary>
    /// <exception cref="ArgumentException">A field is invalid; the message names it.</exception>
    public void Validate()
    {
        StoreValidation.Text(By, "SignalAcknowledgement.By", 256);
        if (Note is not null && Note.Length > 4096)
        {
            throw new ArgumentException($"SignalAcknowledgement.Note must be at most 4096 characters; got {Note.Length}.", nameof(Note));
        }
    }
}

/// <summary>What an acknowledgement did.</summary>
public enum AcknowledgeOutcome : byte
{
    /// <summary>The signal was open and is now acknowledged.</summary>
    Acknowledged = 1,

    /// <summary>The signal was already acknowledged; the first acknowledgement stays.</summary>
    AlreadyAcknowledged = 2,

    /// <summary>No signal has that id.</summary>
    NotFound = 3,
}

/// <summary>The outcome of <see cref="ISignalStore.AcknowledgeSignalAsync"/>.</summary>
/// <param name="Outcome">What happened.</param>
/// <param name="Signal">The signal as stored afterwards; null when not found.</param>
public readonly record struct AcknowledgeResult(AcknowledgeOutcome Outcome, StoredSignal? Signal);

/// <summary>A price set by hand.</summary>
/// <param name="Product">Product key.</param>
/// <param name="NewPrice">The price set.</param>
/// <param name="Currency">ISO 4217 code.</param>
/// <param name="DecidedBy">Who set it (1 to 256 characters).</param>
/// <param name="Reason">Why (at most 4,096 characters).</param>
/// <param name="Time">When it takes effect.</param>
public sealed record ManualPriceChange(string Product, decimal NewPrice, string Currency, string DecidedBy, string Reason, DateTimeOffset Time)
{
    /// <summary>The id the decision gets: product, time and who (see <see cref="StoreIds.ManualDecision"/>).</summary>
    public ulong DecisionId => StoreIds.ManualDecision(Product, Time.ToUnixTimeMilliseconds(), DecidedBy);

    /// <summary>Checks every field.</summary>
    /// <exception cref="ArgumentException">A field is invalid; the message names it.</exception>
    public void Validate()
    {
        StoreValidation.Key(Product, "ManualPriceChange.Product");
        StoreValidation.Price(NewPrice, "ManualPriceChange.NewPrice");
        StoreValidation.Currency(Currency, "ManualPriceChange.Currency");
        StoreValidation.Text(DecidedBy, "ManualPriceChange.DecidedBy", 256);
        ArgumentNullException.ThrowIfNull(Reason);
        if (Reason.Length > 4096)
        {
            throw new ArgumentException($"ManualPriceChange.Reason must be at most 4096 characters; got {Reason.Length}.", nameof(Reason));
        }
    }
}

/// <summary>How one arm of an experiment did over one period.</summary>
/// <param name="Experiment">Experiment name.</param>
/// <param name="Arm">Arm index.</param>
/// <param name="Strategy">The arm's pricing strategy.</param>
/// <param name="PeriodStart">Start of the period.</param>
/// <param name="Period">Length of the period.</param>
/// <param name="Products">Products assigned to the arm.</param>
/// <param name="Decisions">Pricing decisions made in the period.</param>
/// <param name="Views">Product page views.</param>
/// <param name="Purchases">Purchases.</param>
/// <param name="Units">Units sold.</param>
/// <param name="Revenue">Revenue.</param>
/// <param name="GrossProfit">Revenue minus unit cost of the units sold.</param>
/// <param name="Currency">ISO 4217 code of the amounts.</param>
public sealed record ExperimentArmResult(
    string Experiment,
    int Arm,
    PricingStrategyKind Strategy,
    DateTimeOffset PeriodStart,
    TimeSpan Period,
    long Products,
    long Decisions,
    long Views,
    long Purchases,
    long Units,
    decimal Revenue,
    decimal GrossProfit,
    string Currency)
{
    /// <summary>Deterministic id: experiment, arm and period start.</summary>
    public ulong Id => StoreIds.ExperimentResult(Experiment, Arm, PeriodStart.ToUnixTimeMilliseconds());

    /// <summary>Checks every field.</summary>
    /// <exception cref="ArgumentException">A field is invalid; the message names it.</exception>
    public void Validate()
    {
        StoreValidation.Key(Experiment, "ExperimentArmResult.Experiment");
        if (Arm is < 0 or > 255)
        {
            throw new ArgumentException($"ExperimentArmResult.Arm must be between 0 and 255; got {Arm}.", nameof(Arm));
        }

        if (Period <= TimeSpan.Zero)
        {
            throw new ArgumentException($"ExperimentArmResult.Period must be positive; got {Period}.", nameof(Period));
        }

        if (Products < 0 || Decisions < 0 || Views < 0 || Purchases < 0 || Units < 0)
        {
            throw new ArgumentException($"ExperimentArmResult counts must not be negative (experiment '{Experiment}', arm {Arm}).");
        }

        StoreValidation.Currency(Currency, "ExperimentArmResult.Currency");
    }
}
