using PriceIntel.Shared;

namespace PriceIntel;

/// <summary>How the simulator takes our price changes back from the host.</summary>
public enum SimulatorFeedbackMode
{
    /// <summary>
    /// Open loop: our price stays as the simulator set it at start; <see cref="MarketSimulator.ApplyOurPrice"/>
    /// and acknowledgements are ignored and reading never waits. For benchmarks and recordings.
    /// </summary>
    OpenLoop = 0,

    /// <summary>
    /// Lagged feedback: generating tick k uses only prices whose decision time lies in ticks up to
    /// k − <see cref="MarketSimulatorOptions.FeedbackLagTicks"/>, and waits until the host has
    /// acknowledged processing every event of those ticks (<see cref="MarketSimulator.AcknowledgeThrough"/>).
    /// The stream is then the same for a seed whatever the thread timing of the host.
    /// </summary>
    Lagged = 1,
}

/// <summary>
/// Settings of the deterministic market simulator. Every setter checks its value and throws
/// <see cref="ArgumentOutOfRangeException"/> naming the option and value; <see cref="Validate"/> checks
/// the pairs of minimum and maximum.
/// </summary>
/// <remarks>
/// With the defaults (5,000 products × 8 competitors over 7 days, seed 42, open loop) the stream holds
/// 14.7 million events: 12.4 M competitor prices (12 k of them scrape errors; 13.5 k promotions start),
/// 2.1 M views, 102 k add-to-carts, 41 k purchases, 46 k inventory and 5.5 k cost events; 1.5 k viral
/// spikes start and about 8 % of products fall to 10 units or fewer at some point. Competitor
/// observations dominate: the count scales with products × competitors ÷ scrape interval.
/// </remarks>
public sealed class MarketSimulatorOptions
{
    private const string Section = "Simulator:";

    private int _productCount = 5_000;
    private int _competitorCount = 8;
    private DateTimeOffset _start = new(2026, 1, 5, 0, 0, 0, TimeSpan.Zero);
    private TimeSpan _duration = TimeSpan.FromDays(7);
    private TimeSpan _tick = TimeSpan.FromMinutes(1);
    private CurrencyCode _currency = CurrencyCode.Usd;
    private double _minBasePrice = 5;
    private double _maxBasePrice = 2_000;
    private double _minUnitCostFraction = 0.55;
    private double _maxUnitCostFraction = 0.80;
    private double _minScrapeIntervalMinutes = 15;
    private double _maxScrapeIntervalMinutes = 60;
    private double _scrapeErrorRate = 0.001;
    private double _promotionsPerPairPerWeek = 1.5;
    private double _viewsPerProductPerHour = 3;
    private double _priceElasticity = 3;
    private double _addToCartRate = 0.08;
    private double _purchaseRate = 0.4;
    private double _dailySeasonality = 0.6;
    private double _viralSpikesPerProductPerWeek = 0.3;
    private double _costChangesPerProductPerWeek = 0.1;
    private double _minRestockLeadHours = 12;
    private double _maxRestockLeadHours = 60;
    private double? _initialPriceMarkup;
    private int _feedbackLagTicks = 2;
    private int _categoryCount = 1;
    private double _categoryElasticitySpread = 1;
    private double _productElasticitySpread;

    /// <summary>Seed of the random generator: the same seed and options give the same event stream. Default 42.</summary>
    public ulong Seed { get; set; } = 42;

    /// <summary>Number of products, named <c>SKU-000000</c>, <c>SKU-000001</c>, …. 1 to 10,000,000. Default 5,000.</summary>
    public int ProductCount { get => _productCount; set => _productCount = Between(value, 1, 10_000_000, nameof(ProductCount)); }

    /// <summary>
    /// Number of competitors, named <c>competitor-01</c>, …, each selling every product. Their repricing
    /// behaviours cycle through promotional, undercutter, drifting and static. 1 to 64. Default 8.
    /// </summary>
    public int CompetitorCount { get => _competitorCount; set => _competitorCount = Between(value, 1, 64, nameof(CompetitorCount)); }

    /// <summary>Event time of the first events. Default 2026-01-05T00:00Z.</summary>
    public DateTimeOffset Start { get => _start; set => _start = value; }

    /// <summary>Event time covered, from <see cref="Start"/>. 1 minute to 366 days. Default 7 days.</summary>
    public TimeSpan Duration
    {
        get => _duration;
        set => _duration = value >= TimeSpan.FromMinutes(1) && value <= TimeSpan.FromDays(366) ? value : throw OutOfRange(nameof(Duration), value, "between 1 minute and 366 days");
    }

    /// <summary>
    /// Step of generation in event time; feedback is taken and waited for once per tick. Whole
    /// milliseconds, 1 second to 1 hour. Default 1 minute.
    /// </summary>
    public TimeSpan Tick
    {
        get => _tick;
        set => _tick = value >= TimeSpan.FromSeconds(1) && value <= TimeSpan.FromHours(1) && value.Ticks % TimeSpan.TicksPerMillisecond == 0
            ? value
            : throw OutOfRange(nameof(Tick), value, "whole milliseconds between 1 second and 1 hour");
    }

    /// <summary>Currency of every price. Default USD.</summary>
    public CurrencyCode Currency { get => _currency; set => _currency = value.IsEmpty ? throw OutOfRange(nameof(Currency), value, "a currency code") : value; }

    /// <summary>Lowest base (category) price; base prices are log-uniform between the two bounds. Default 5.</summary>
    public double MinBasePrice { get => _minBasePrice; set => _minBasePrice = Range(value, 0.05, 1e7, nameof(MinBasePrice)); }

    /// <summary>Highest base price. Default 2,000.</summary>
    public double MaxBasePrice { get => _maxBasePrice; set => _maxBasePrice = Range(value, 0.05, 1e7, nameof(MaxBasePrice)); }

    /// <summary>Lowest unit cost as a fraction of the base price (uniform between the bounds). Default 0.55.</summary>
    public double MinUnitCostFraction { get => _minUnitCostFraction; set => _minUnitCostFraction = Range(value, 0.01, 1.5, nameof(MinUnitCostFraction)); }

    /// <summary>Highest unit cost as a fraction of the base price. Default 0.80.</summary>
    public double MaxUnitCostFraction { get => _maxUnitCostFraction; set => _maxUnitCostFraction = Range(value, 0.01, 1.5, nameof(MaxUnitCostFraction)); }

    /// <summary>Shortest re-scrape interval of a (product, competitor) pair; each pair draws its interval between the bounds and jitters it ±10 % per scrape. Default 15.</summary>
    public double MinScrapeIntervalMinutes { get => _minScrapeIntervalMinutes; set => _minScrapeIntervalMinutes = Range(value, 0.1, 1440, nameof(MinScrapeIntervalMinutes)); }

    /// <summary>Longest re-scrape interval of a pair, in minutes. Default 60.</summary>
    public double MaxScrapeIntervalMinutes { get => _maxScrapeIntervalMinutes; set => _maxScrapeIntervalMinutes = Range(value, 0.1, 1440, nameof(MaxScrapeIntervalMinutes)); }

    /// <summary>
    /// Fraction of competitor observations that are scrape errors: a one-off absurd price ×10, ÷10,
    /// ×100 or ÷100 (a cents/units mix-up); the competitor's real price is unchanged. Default 0.001.
    /// </summary>
    public double ScrapeErrorRate { get => _scrapeErrorRate; set => _scrapeErrorRate = Range(value, 0, 1, nameof(ScrapeErrorRate)); }

    /// <summary>Promotions (temporary cuts of 15–40 % lasting 2–24 hours) a promotional competitor starts per product per week. Default 1.5.</summary>
    public double PromotionsPerPairPerWeek { get => _promotionsPerPairPerWeek; set => _promotionsPerPairPerWeek = Range(value, 0, 1000, nameof(PromotionsPerPairPerWeek)); }

    /// <summary>
    /// Mean page views per product per hour at parity and average time of day; product popularity is
    /// log-normal (σ = 1) around it, so a few products get most views. Default 3.
    /// </summary>
    public double ViewsPerProductPerHour { get => _viewsPerProductPerHour; set => _viewsPerProductPerHour = Range(value, 0, 100_000, nameof(ViewsPerProductPerHour)); }

    /// <summary>
    /// Price elasticity ε of demand against the lowest in-stock competitor price: the price response is
    /// g = (our price / lowest competitor price)^−ε, clamped to [0.05, 4]; views scale with g^0.3 and the
    /// add-to-cart probability with g^0.7, so purchases scale with g. With several categories, the centre
    /// of their elasticities (<see cref="CategoryElasticitySpread"/>). Default 3.
    /// </summary>
    public double PriceElasticity { get => _priceElasticity; set => _priceElasticity = Range(value, 0, 50, nameof(PriceElasticity)); }

    /// <summary>
    /// Number of product categories, named <c>category-01</c>, …; product p belongs to category p mod K.
    /// Categories differ only in their price elasticity (<see cref="CategoryElasticitySpread"/>). 1 to 1,000. Default 1.
    /// </summary>
    public int CategoryCount { get => _categoryCount; set => _categoryCount = Between(value, 1, 1_000, nameof(CategoryCount)); }

    /// <summary>
    /// f: each category's elasticity is drawn log-uniform between <see cref="PriceElasticity"/> ÷ f and
    /// <see cref="PriceElasticity"/> × f (from a generator of its own, so nothing else in the stream
    /// changes). 1, the default, gives every category <see cref="PriceElasticity"/>. 1 to 10.
    /// </summary>
    public double CategoryElasticitySpread { get => _categoryElasticitySpread; set => _categoryElasticitySpread = Range(value, 1, 10, nameof(CategoryElasticitySpread)); }

    /// <summary>
    /// σ: each product's elasticity is its category's × exp(σ·z), z standard normal (drawn by the same
    /// separate generator), so products spread around their category's value. 0 (the default) gives
    /// every product its category's elasticity. 0 to 2. <see cref="MarketSimulator.Catalog"/> lists the values.
    /// </summary>
    public double ProductElasticitySpread { get => _productElasticitySpread; set => _productElasticitySpread = Range(value, 0, 2, nameof(ProductElasticitySpread)); }

    /// <summary>
    /// Common random numbers: shoppers of each product and hour are drawn from a generator of their own,
    /// seeded by (seed, product, hour), each view consuming a fixed number of draws. Two runs of the same
    /// seed with different prices then see the same shoppers (arrivals in the same places of the
    /// cumulative demand, the same cart and purchase draws), so a paired comparison of two pricing
    /// strategies is not swamped by shopper noise; and competitors' streams do not depend on our prices
    /// beyond the undercutters' reaction. Off by default (the stream of a seed is then what it always
    /// was); the stream differs from the default one when on.
    /// </summary>
    public bool CommonRandomNumbers { get; set; }

    /// <summary>Probability a view leads to an add-to-cart at parity (before the price response). Default 0.08.</summary>
    public double AddToCartRate { get => _addToCartRate; set => _addToCartRate = Range(value, 0, 1, nameof(AddToCartRate)); }

    /// <summary>Probability an add-to-cart leads to a purchase (if stock allows). Default 0.4.</summary>
    public double PurchaseRate { get => _purchaseRate; set => _purchaseRate = Range(value, 0, 1, nameof(PurchaseRate)); }

    /// <summary>Amplitude A of daily seasonality: the view rate is multiplied by 1 + A·sin(2π(h − 14)/24), h the UTC hour (peak 20:00). 0 to 0.95. Default 0.6.</summary>
    public double DailySeasonality { get => _dailySeasonality; set => _dailySeasonality = Range(value, 0, 0.95, nameof(DailySeasonality)); }

    /// <summary>Viral spikes (views ×3 to ×10 for 2–6 hours) per product per week. Default 0.3.</summary>
    public double ViralSpikesPerProductPerWeek { get => _viralSpikesPerProductPerWeek; set => _viralSpikesPerProductPerWeek = Range(value, 0, 1000, nameof(ViralSpikesPerProductPerWeek)); }

    /// <summary>Unit cost changes (×0.95 to ×1.08) per product per week. Default 0.1.</summary>
    public double CostChangesPerProductPerWeek { get => _costChangesPerProductPerWeek; set => _costChangesPerProductPerWeek = Range(value, 0, 1000, nameof(CostChangesPerProductPerWeek)); }

    /// <summary>Shortest lag between a restock order (stock at or below its reorder point) and its arrival, in hours. Default 12.</summary>
    public double MinRestockLeadHours { get => _minRestockLeadHours; set => _minRestockLeadHours = Range(value, 0, 24 * 366, nameof(MinRestockLeadHours)); }

    /// <summary>Longest restock lag in hours. Default 60.</summary>
    public double MaxRestockLeadHours { get => _maxRestockLeadHours; set => _maxRestockLeadHours = Range(value, 0, 24 * 366, nameof(MaxRestockLeadHours)); }

    /// <summary>
    /// Our initial shelf price as a markup over the lowest initial in-stock competitor price (0.2 means
    /// 20 % above it, 0 means parity), or null for the product's base price (the default).
    /// </summary>
    public double? InitialPriceMarkup { get => _initialPriceMarkup; set => _initialPriceMarkup = value is { } v ? Range(v, -0.9, 10, nameof(InitialPriceMarkup)) : null; }

    /// <summary>Whether and how our price changes come back from the host. Default <see cref="SimulatorFeedbackMode.OpenLoop"/>.</summary>
    public SimulatorFeedbackMode Feedback { get; set; } = SimulatorFeedbackMode.OpenLoop;

    /// <summary>
    /// L, the feedback lag in ticks: generating tick k uses prices decided in ticks up to k − L and
    /// waits for the host's acknowledgement of those ticks. 1 to 1,000. Default 2.
    /// </summary>
    public int FeedbackLagTicks { get => _feedbackLagTicks; set => _feedbackLagTicks = Between(value, 1, 1_000, nameof(FeedbackLagTicks)); }

    /// <summary>Checks the minimum/maximum pairs and that the duration is a whole number of milliseconds.</summary>
    /// <exception cref="ArgumentException">A minimum exceeds its maximum, or the duration has sub-millisecond parts.</exception>
    public void Validate()
    {
        Ordered(MinBasePrice, MaxBasePrice, nameof(MinBasePrice), nameof(MaxBasePrice));
        Ordered(MinUnitCostFraction, MaxUnitCostFraction, nameof(MinUnitCostFraction), nameof(MaxUnitCostFraction));
        Ordered(MinScrapeIntervalMinutes, MaxScrapeIntervalMinutes, nameof(MinScrapeIntervalMinutes), nameof(MaxScrapeIntervalMinutes));
        Ordered(MinRestockLeadHours, MaxRestockLeadHours, nameof(MinRestockLeadHours), nameof(MaxRestockLeadHours));
        if (Duration.Ticks % TimeSpan.TicksPerMillisecond != 0)
        {
            throw new ArgumentException($"{Section}{nameof(Duration)} ({Duration}) must be a whole number of milliseconds.");
        }
    }

    /// <summary>A copy, so a running simulator is not affected by later changes.</summary>
    internal MarketSimulatorOptions Clone() => (MarketSimulatorOptions)MemberwiseClone();

    private static void Ordered(double min, double max, string minName, string maxName)
    {
        if (min > max)
        {
            throw new ArgumentException($"{Section}{minName} ({min}) must not exceed {Section}{maxName} ({max}).");
        }
    }

    private static double Range(double value, double min, double max, string name) => OptionGuard.Between(value, min, max, Section + name);

    private static int Between(int value, int min, int max, string name) => OptionGuard.Between(value, min, max, Section + name);

    private static ArgumentOutOfRangeException OutOfRange(string name, object value, string expected) => OptionGuard.OutOfRange(Section + name, value, expected);
}
