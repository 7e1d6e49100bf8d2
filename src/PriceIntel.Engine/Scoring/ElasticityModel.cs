namespace PriceIntel.Engine.Scoring;

/// <summary>
/// One product's fitted demand curve: expected units per hour = exp(<see cref="Intercept"/> −
/// <see cref="Elasticity"/> × ln(our price / lowest competitor price)) × the hour-of-day factor.
/// </summary>
/// <param name="Product">The product key (SKU).</param>
/// <param name="Category">The pool it was shrunk towards.</param>
/// <param name="Intercept">ln of the expected units per hour at parity with the lowest competitor, at an average hour.</param>
/// <param name="Elasticity">The price elasticity used for pricing (positive: demand falls as price rises), after shrinkage.</param>
/// <param name="RawElasticity">The product's own estimate before shrinkage (NaN when it had too little data to have one).</param>
/// <param name="StandardError">Standard error of <see cref="RawElasticity"/> (∞ when none).</param>
/// <param name="Observations">Product-hours the fit used.</param>
/// <param name="Units">Units sold in those hours.</param>
public sealed record ProductElasticity(
    string Product,
    string Category,
    double Intercept,
    double Elasticity,
    double RawElasticity,
    double StandardError,
    int Observations,
    long Units);

/// <summary>A category's pooled elasticity: the prior every product of it is shrunk towards.</summary>
/// <param name="Category">The category name.</param>
/// <param name="Elasticity">Pooled elasticity (positive: demand falls as price rises).</param>
/// <param name="StandardError">Its standard error.</param>
/// <param name="BetweenProductSpread">Estimated standard deviation of true product elasticities around the pooled one.</param>
/// <param name="Products">Products in the category.</param>
/// <param name="Intercept">Mean product intercept, used for products the model has not seen.</param>
public sealed record CategoryElasticity(
    string Category,
    double Elasticity,
    double StandardError,
    double BetweenProductSpread,
    int Products,
    double Intercept);

/// <summary>
/// The log-log demand model a pricing manager can read: one elasticity per product, pooled per
/// category with shrinkage, and 24 hour-of-day factors shared by all products.
/// </summary>
public sealed class ElasticityModel
{
    private readonly Dictionary<string, int> _byProduct;
    private readonly Dictionary<string, int> _byCategory;
    private readonly double[] _hourFactors;

    /// <summary>Creates the model.</summary>
    /// <param name="products">One entry per product (keys unique).</param>
    /// <param name="categories">One entry per category (names unique); at least one.</param>
    /// <param name="hourFactors">24 positive multipliers of demand by UTC hour (mean about 1).</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">A key or name repeats, a product names an unknown category, there is no category, or the hour factors are not 24 finite positive values.</exception>
    public ElasticityModel(IReadOnlyList<ProductElasticity> products, IReadOnlyList<CategoryElasticity> categories, IReadOnlyList<double> hourFactors)
    {
        ArgumentNullException.ThrowIfNull(products);
        ArgumentNullException.ThrowIfNull(categories);
        ArgumentNullException.ThrowIfNull(hourFactors);
        if (categories.Count == 0)
        {
            throw new ArgumentException("An elasticity model needs at least one category.", nameof(categories));
        }

        if (hourFactors.Count != 24)
        {
            throw new ArgumentException($"hourFactors must hold 24 values; got {hourFactors.Count}.", nameof(hourFactors));
        }

        _hourFactors = new double[24];
        for (int h = 0; h < 24; h++)
        {
            var f = hourFactors[h];
            _hourFactors[h] = double.IsFinite(f) && f > 0 ? f : throw new ArgumentException($"hourFactors[{h}] must be finite and positive; got {f}.", nameof(hourFactors));
        }

        _byCategory = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < categories.Count; i++)
        {
            if (!_byCategory.TryAdd(categories[i].Category, i))
            {
                throw new ArgumentException($"Category '{categories[i].Category}' appears twice.", nameof(categories));
            }
        }

        _byProduct = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < products.Count; i++)
        {
            var p = products[i];
            if (!_byCategory.ContainsKey(p.Category))
            {
                throw new ArgumentException($"Product '{p.Product}' names category '{p.Category}', which the model does not have.", nameof(products));
            }

            if (!double.IsFinite(p.Intercept) || !double.IsFinite(p.Elasticity))
            {
                throw new ArgumentException($"Product '{p.Product}' has a non-finite intercept ({p.Intercept}) or elasticity ({p.Elasticity}).", nameof(products));
            }

            if (!_byProduct.TryAdd(p.Product, i))
            {
                throw new ArgumentException($"Product '{p.Product}' appears twice.", nameof(products));
            }
        }

        Products = products;
        Categories = categories;
        HourFactors = _hourFactors;
    }

    /// <summary>Per-product curves.</summary>
    public IReadOnlyList<ProductElasticity> Products { get; }

    /// <summary>Per-category pools.</summary>
    public IReadOnlyList<CategoryElasticity> Categories { get; }

    /// <summary>Demand multiplier by UTC hour of day.</summary>
    public IReadOnlyList<double> HourFactors { get; }

    /// <summary>The index of <paramref name="product"/> in <see cref="Products"/>; −1 when the model has not seen it.</summary>
    public int IndexOf(string product) => _byProduct.TryGetValue(product, out int i) ? i : -1;

    /// <summary>The index of <paramref name="category"/> in <see cref="Categories"/>; −1 when unknown.</summary>
    public int IndexOfCategory(string category) => _byCategory.TryGetValue(category, out int i) ? i : -1;

    /// <summary>
    /// Expected units per hour for product index <paramref name="productIndex"/> (−1: the first
    /// category's pool) at ln(our price / lowest competitor) = <paramref name="logRatioToLowest"/>, at
    /// event time <paramref name="timestamp"/>.
    /// </summary>
    public double PredictUnitsPerHour(int productIndex, double logRatioToLowest, long timestamp)
    {
        double intercept, elasticity;
        if ((uint)productIndex < (uint)Products.Count)
        {
            var p = Products[productIndex];
            intercept = p.Intercept;
            elasticity = p.Elasticity;
        }
        else
        {
            var c = Categories[0];
            intercept = c.Intercept;
            elasticity = c.Elasticity;
        }

        int hour = (int)(((timestamp % 86_400_000L) + 86_400_000L) % 86_400_000L / 3_600_000L);
        return Math.Exp(intercept - (elasticity * logRatioToLowest)) * _hourFactors[hour];
    }
}
