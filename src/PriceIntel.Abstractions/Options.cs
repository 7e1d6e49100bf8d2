using PriceIntel.Shared;

namespace PriceIntel;

/// <summary>
/// Every engine setting, bound from .NET configuration (appsettings.json, environment variables,
/// the YAML config file). Each setter checks its value and throws
/// <see cref="ArgumentOutOfRangeException"/> naming the option and the value; <see cref="Validate"/>
/// checks the rules that span options.
/// </summary>
public sealed class PriceIntelOptions
{
    /// <summary>The configuration section the options bind from by default.</summary>
    public const string SectionName = "PriceIntel";

    /// <summary>Pricing rules and strategy.</summary>
    public PricingOptions Pricing { get; set; } = new();

    /// <summary>Market signal thresholds.</summary>
    public AlertOptions Alerts { get; set; } = new();

    /// <summary>Windowed statistics.</summary>
    public WindowOptions Windows { get; set; } = new();

    /// <summary>Anomaly detection.</summary>
    public AnomalyOptions Anomaly { get; set; } = new();

    /// <summary>A/B experiment between pricing strategies.</summary>
    public ExperimentOptions Experiment { get; set; } = new();

    /// <summary>Batching and buffering of the pipeline.</summary>
    public PipelineOptions Pipeline { get; set; } = new();

    /// <summary>Checks the rules that span options.</summary>
    /// <exception cref="ArgumentException">A combination of options is inconsistent; the message names them.</exception>
    public void Validate()
    {
        Pricing.Validate();
        Experiment.Validate();
        Windows.Validate();
    }
}

/// <summary>Pricing rules. Defaults: margins 5 %–30 %, at most 10 % change per decision, every 15 minutes.</summary>
public sealed class PricingOptions
{
    private double _minMargin = 0.05;
    private double _maxMargin = 0.30;
    private double _maxChange = 0.10;
    private double _updateIntervalMinutes = 15;
    private double _beatBy = 0.01;
    private double _percentile = 0.5;
    private double _minChangeToPublish = 0.001;
    private double _minPrice;
    private double _maxPrice = 1_000_000;
    private double _priceEnding = 0.99;

    /// <summary>Floor margin over unit cost: price ≥ cost × (1 + MinMargin). Default 0.05.</summary>
    public double MinMargin { get => _minMargin; set => _minMargin = OptionGuard.Between(value, 0, 10, "Pricing:MinMargin"); }

    /// <summary>Ceiling margin over unit cost: price ≤ cost × (1 + MaxMargin). Default 0.30.</summary>
    public double MaxMargin { get => _maxMargin; set => _maxMargin = OptionGuard.Between(value, 0, 10, "Pricing:MaxMargin"); }

    /// <summary>Largest change in one decision, as a fraction of the current price (the seed's price change threshold). Default 0.10.</summary>
    public double MaxChange { get => _maxChange; set => _maxChange = OptionGuard.Between(value, 0.0001, 1, "Pricing:MaxChange"); }

    /// <summary>Minutes between scheduled pricing runs per product. Default 15.</summary>
    public double UpdateIntervalMinutes { get => _updateIntervalMinutes; set => _updateIntervalMinutes = OptionGuard.Positive(value, "Pricing:UpdateIntervalMinutes"); }

    /// <summary><see cref="UpdateIntervalMinutes"/> as a time span.</summary>
    public TimeSpan UpdateInterval => TimeSpan.FromMinutes(_updateIntervalMinutes);

    /// <summary>Strategy for products not in an experiment. Default <see cref="PricingStrategyKind.BeatLowest"/>.</summary>
    public PricingStrategyKind Strategy { get; set; } = PricingStrategyKind.BeatLowest;

    /// <summary>What <see cref="PricingStrategyKind.MaximizeProfit"/> maximises. Default <see cref="PricingObjective.Profit"/>.</summary>
    public PricingObjective Objective { get; set; } = PricingObjective.Profit;

    /// <summary>Fraction <see cref="PricingStrategyKind.BeatLowest"/> undercuts the lowest competitor by. Default 0.01.</summary>
    public double BeatBy { get => _beatBy; set => _beatBy = OptionGuard.Between(value, 0, 0.5, "Pricing:BeatBy"); }

    /// <summary>Percentile of competitor prices <see cref="PricingStrategyKind.Percentile"/> aims at, 0 to 1. Default 0.5.</summary>
    public double Percentile { get => _percentile; set => _percentile = OptionGuard.Between(value, 0, 1, "Pricing:Percentile"); }

    /// <summary>Changes smaller than this fraction are not published. Default 0.001.</summary>
    public double MinChangeToPublish { get => _minChangeToPublish; set => _minChangeToPublish = OptionGuard.Between(value, 0, 0.5, "Pricing:MinChangeToPublish"); }

    /// <summary>Absolute minimum price. Default 0 (none).</summary>
    public double MinPrice { get => _minPrice; set => _minPrice = OptionGuard.Between(value, 0, 1e12, "Pricing:MinPrice"); }

    /// <summary>Absolute maximum price. Default 1,000,000.</summary>
    public double MaxPrice { get => _maxPrice; set => _maxPrice = OptionGuard.Between(value, 0.0001, 1e12, "Pricing:MaxPrice"); }

    /// <summary>
    /// Fractional ending prices are rounded down to (e.g. 0.99 turns 12.34 into 11.99 and 12.995 into 12.99),
    /// unless that breaks a bound. Negative turns endings off. Default 0.99.
    /// </summary>
    public double PriceEnding { get => _priceEnding; set => _priceEnding = OptionGuard.Between(value, -1, 0.9999, "Pricing:PriceEnding"); }

    /// <summary>Checks that the bounds can be met together.</summary>
    /// <exception cref="ArgumentException">MinMargin exceeds MaxMargin, or MinPrice exceeds MaxPrice.</exception>
    public void Validate()
    {
        if (MinMargin > MaxMargin)
        {
            throw new ArgumentException($"Pricing:MinMargin ({MinMargin}) must not exceed Pricing:MaxMargin ({MaxMargin}).");
        }

        if (MinPrice > MaxPrice)
        {
            throw new ArgumentException($"Pricing:MinPrice ({MinPrice}) must not exceed Pricing:MaxPrice ({MaxPrice}).");
        }
    }
}

/// <summary>What the profit-maximising strategy maximises per hour.</summary>
public enum PricingObjective
{
    /// <summary>(price − unit cost) × expected units; revenue when the unit cost is unknown.</summary>
    Profit = 0,

    /// <summary>price × expected units.</summary>
    Revenue = 1,
}

/// <summary>Market signal thresholds. Defaults: 15 % competitor drop, 10 units low inventory, demand ×2.</summary>
public sealed class AlertOptions
{
    private double _competitorPriceDropThreshold = 0.15;
    private int _lowInventoryThreshold = 10;
    private double _demandSurgeFactor = 2.0;
    private int _demandSurgeMinEvents = 20;
    private double _cooldownMinutes = 60;
    private double _priceAnomalyScore = 6.0;

    /// <summary>A competitor price this fraction below the competitor's recent level raises a drop signal. Default 0.15.</summary>
    public double CompetitorPriceDropThreshold { get => _competitorPriceDropThreshold; set => _competitorPriceDropThreshold = OptionGuard.Between(value, 0.001, 0.99, "Alerts:CompetitorPriceDropThreshold"); }

    /// <summary>Units on hand at or below this raise a low inventory signal. Default 10.</summary>
    public int LowInventoryThreshold { get => _lowInventoryThreshold; set => _lowInventoryThreshold = OptionGuard.AtLeast(value, 0, "Alerts:LowInventoryThreshold"); }

    /// <summary>Demand in the short window at this multiple of the baseline rate raises a surge signal. Default 2.0.</summary>
    public double DemandSurgeFactor { get => _demandSurgeFactor; set => _demandSurgeFactor = OptionGuard.Between(value, 1.01, 1000, "Alerts:DemandSurgeFactor"); }

    /// <summary>Fewest demand events in the short window before a surge can be raised (keeps tiny counts quiet). Default 20.</summary>
    public int DemandSurgeMinEvents { get => _demandSurgeMinEvents; set => _demandSurgeMinEvents = OptionGuard.AtLeast(value, 1, "Alerts:DemandSurgeMinEvents"); }

    /// <summary>Minutes of event time after a rule's last signal for a key (product or competitor pair) before that rule can raise for it again; an episode must also have cleared. Default 60.</summary>
    public double CooldownMinutes { get => _cooldownMinutes; set => _cooldownMinutes = OptionGuard.Between(value, 0, 100_000, "Alerts:CooldownMinutes"); }

    /// <summary>Anomaly score at or above which a price anomaly signal is raised. Default 6.</summary>
    public double PriceAnomalyScore { get => _priceAnomalyScore; set => _priceAnomalyScore = OptionGuard.Between(value, 0.5, 1000, "Alerts:PriceAnomalyScore"); }
}

/// <summary>Windowed statistics. Defaults: windows of 1 h, 24 h and 7 d; 5 minutes allowed lateness.</summary>
public sealed class WindowOptions
{
    private double _shortWindowMinutes = 60;
    private double _mediumWindowMinutes = 24 * 60;
    private double _longWindowMinutes = 7 * 24 * 60;
    private double _pairWindowMinutes = 60;
    private double _allowedLatenessSeconds = 300;
    private int _bucketsPerWindow = 24;
    private double _ewmaAlpha = 0.1;

    /// <summary>Short window length in minutes. Default 60.</summary>
    public double ShortWindowMinutes { get => _shortWindowMinutes; set => _shortWindowMinutes = OptionGuard.Positive(value, "Windows:ShortWindowMinutes"); }

    /// <summary>Medium window length in minutes. Default 1440 (24 h).</summary>
    public double MediumWindowMinutes { get => _mediumWindowMinutes; set => _mediumWindowMinutes = OptionGuard.Positive(value, "Windows:MediumWindowMinutes"); }

    /// <summary>Long window length in minutes. Default 10080 (7 d).</summary>
    public double LongWindowMinutes { get => _longWindowMinutes; set => _longWindowMinutes = OptionGuard.Positive(value, "Windows:LongWindowMinutes"); }

    /// <summary>
    /// Window length in minutes of the per (product, competitor) price statistics; 0 keeps only each pair's
    /// last, previous, change and EWMA (fewer cache misses per event: the pair windows cost roughly a third of
    /// the engine's per-event time on sparse series). Default 60.
    /// </summary>
    public double PairWindowMinutes { get => _pairWindowMinutes; set => _pairWindowMinutes = OptionGuard.Between(value, 0, 366 * 24 * 60, "Windows:PairWindowMinutes"); }

    /// <summary>Events up to this many seconds older than the newest seen are merged; older ones are counted as late and dropped. Default 300.</summary>
    public double AllowedLatenessSeconds { get => _allowedLatenessSeconds; set => _allowedLatenessSeconds = OptionGuard.Between(value, 0, 7 * 86400, "Windows:AllowedLatenessSeconds"); }

    /// <summary>Sub-buckets a window is cut into; a window slides one bucket at a time. Default 24.</summary>
    public int BucketsPerWindow { get => _bucketsPerWindow; set => _bucketsPerWindow = OptionGuard.Between(value, 2, 1024, "Windows:BucketsPerWindow"); }

    /// <summary>Smoothing factor of the exponentially weighted moving average, 0 to 1. Default 0.1.</summary>
    public double EwmaAlpha { get => _ewmaAlpha; set => _ewmaAlpha = OptionGuard.Between(value, 0.0001, 1, "Windows:EwmaAlpha"); }

    /// <summary>The three window lengths in milliseconds, shortest first.</summary>
    public (long Short, long Medium, long Long) LengthsMs =>
        ((long)(ShortWindowMinutes * 60_000), (long)(MediumWindowMinutes * 60_000), (long)(LongWindowMinutes * 60_000));

    /// <summary>Allowed lateness in milliseconds.</summary>
    public long AllowedLatenessMs => (long)(AllowedLatenessSeconds * 1000);

    /// <summary>Checks that the windows are ordered.</summary>
    /// <exception cref="ArgumentException">The windows are not shortest to longest.</exception>
    public void Validate()
    {
        if (!(ShortWindowMinutes <= MediumWindowMinutes && MediumWindowMinutes <= LongWindowMinutes))
        {
            throw new ArgumentException($"Windows must be ordered: ShortWindowMinutes ({ShortWindowMinutes}) ≤ MediumWindowMinutes ({MediumWindowMinutes}) ≤ LongWindowMinutes ({LongWindowMinutes}).");
        }
    }
}

/// <summary>Anomaly detection per price series.</summary>
public sealed class AnomalyOptions
{
    private double _robustZThreshold = 5.0;
    private double _ewmaLambda = 0.2;
    private double _ewmaLimit = 4.0;
    private int _warmUp = 12;
    private int _levelShiftConfirmations = 3;
    private int _historyLength = 32;

    /// <summary>Deviation from a series' baseline, in robust standard deviations, at or above which a competitor price is an outlier; the engine turns it into the calibrated score threshold (5 → score 2.13, see AnomalyDetectorOptions.OutlierScore), the same on every series. Default 5.</summary>
    public double RobustZThreshold { get => _robustZThreshold; set => _robustZThreshold = OptionGuard.Between(value, 0.5, 1000, "Anomaly:RobustZThreshold"); }

    /// <summary>EWMA weight of a normal price in its series' level. Default 0.2.</summary>
    public double EwmaLambda { get => _ewmaLambda; set => _ewmaLambda = OptionGuard.Between(value, 0.001, 1, "Anomaly:EwmaLambda"); }

    /// <summary>Not used since the calibrated detector (issue 8): one score threshold replaced the separate EWMA chart limit. Kept so existing configuration files still bind. Default 4.</summary>
    public double EwmaLimit { get => _ewmaLimit; set => _ewmaLimit = OptionGuard.Between(value, 0.5, 100, "Anomaly:EwmaLimit"); }

    /// <summary>Points a series needs before it can be flagged. Default 12.</summary>
    public int WarmUp { get => _warmUp; set => _warmUp = OptionGuard.Between(value, 3, 10_000, "Anomaly:WarmUp"); }

    /// <summary>Consecutive anomalous points on the same side at a consistent level that make a level shift rather than outliers. Default 3.</summary>
    public int LevelShiftConfirmations { get => _levelShiftConfirmations; set => _levelShiftConfirmations = OptionGuard.Between(value, 2, 100, "Anomaly:LevelShiftConfirmations"); }

    /// <summary>Points a series' robust scale averages over (EWMA weight 2 / (n + 1)). Default 32.</summary>
    public int HistoryLength { get => _historyLength; set => _historyLength = OptionGuard.Between(value, 8, 256, "Anomaly:HistoryLength"); }
}

/// <summary>One arm of a pricing experiment.</summary>
public sealed class ExperimentArmOptions
{
    private double _weight = 1;

    /// <summary>Name for reports, e.g. "beat-1pct".</summary>
    public string Name { get; set; } = "control";

    /// <summary>The arm's strategy.</summary>
    public PricingStrategyKind Strategy { get; set; } = PricingStrategyKind.BeatLowest;

    /// <summary>Relative share of products, > 0. Default 1.</summary>
    public double Weight { get => _weight; set => _weight = OptionGuard.Positive(value, "Experiment:Arms:Weight"); }
}

/// <summary>A/B experiment: products are assigned to arms by a hash of (salt, SKU), the same on every run and machine.</summary>
public sealed class ExperimentOptions
{
    /// <summary>Salt of the assignment hash; change it to reshuffle. Default "priceintel".</summary>
    public string Salt { get; set; } = "priceintel";

    /// <summary>Arms; empty means every product uses <see cref="PricingOptions.Strategy"/>. At most 16.</summary>
    public IList<ExperimentArmOptions> Arms { get; } = [];

    /// <summary>Checks names, count and salt.</summary>
    /// <exception cref="ArgumentException">More than 16 arms, a blank or repeated name, or an empty salt.</exception>
    public void Validate()
    {
        if (string.IsNullOrEmpty(Salt))
        {
            throw new ArgumentException("Experiment:Salt must not be empty.");
        }

        if (Arms.Count > 16)
        {
            throw new ArgumentException($"Experiment:Arms has {Arms.Count} arms; at most 16 are supported.");
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < Arms.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(Arms[i].Name) || !names.Add(Arms[i].Name))
            {
                throw new ArgumentException($"Experiment:Arms:{i}:Name '{Arms[i].Name}' is blank or repeated.");
            }
        }
    }
}

/// <summary>What a pipeline does when its bounded buffer is full.</summary>
public enum BufferFullMode
{
    /// <summary>The source waits (back-pressure). Nothing is lost.</summary>
    Wait = 0,

    /// <summary>The newest batch is dropped and counted. For live feeds where staleness is worse than loss.</summary>
    DropNewest = 1,
}

/// <summary>Batching and buffering between source, engine and sinks.</summary>
public sealed class PipelineOptions
{
    private int _batchSize = 4096;
    private int _bufferedBatches = 8;

    /// <summary>Events per batch read from a source. Default 4096.</summary>
    public int BatchSize { get => _batchSize; set => _batchSize = OptionGuard.Between(value, 1, 1 << 20, "Pipeline:BatchSize"); }

    /// <summary>Batches buffered between source and engine. Default 8.</summary>
    public int BufferedBatches { get => _bufferedBatches; set => _bufferedBatches = OptionGuard.Between(value, 1, 1024, "Pipeline:BufferedBatches"); }

    /// <summary>What happens when the buffer is full. Default <see cref="BufferFullMode.Wait"/>.</summary>
    public BufferFullMode FullMode { get; set; } = BufferFullMode.Wait;
}
