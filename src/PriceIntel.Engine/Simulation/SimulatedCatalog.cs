using System.Globalization;

namespace PriceIntel.Engine.Simulation;

/// <summary>
/// The simulator's product keys, categories and elasticities, drawn from the seed by a generator of
/// their own (so adding categories or spreads changes nothing else in the stream).
/// </summary>
internal static class SimulatedCatalog
{
    /// <summary>Mixed into the seed for the elasticity generator.</summary>
    private const ulong ElasticityStream = 0x6A09E667F3BCC909UL;

    public static string ProductKey(int product, int productCount)
    {
        var digits = Math.Max(6, (productCount - 1).ToString(CultureInfo.InvariantCulture).Length);
        return "SKU-" + product.ToString("D" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
    }

    public static string CategoryName(int category) => "category-" + (category + 1).ToString("D2", CultureInfo.InvariantCulture);

    public static int CategoryOf(int product, int categoryCount) => product % categoryCount;

    /// <summary>Each category's elasticity, then each product's (indexed by product).</summary>
    public static (double[] Categories, double[] Products) Elasticities(MarketSimulatorOptions o)
    {
        var categories = new double[o.CategoryCount];
        var products = new double[o.ProductCount];
        var rng = new Xoshiro256(o.Seed ^ ElasticityStream);
        var lnSpread = Math.Log(o.CategoryElasticitySpread);
        for (int c = 0; c < categories.Length; c++)
        {
            // Log-uniform in [ε / f, ε × f]; f = 1 gives ε exactly (the draw is still made, harmlessly).
            var u = rng.NextDouble();
            categories[c] = lnSpread == 0 ? o.PriceElasticity : o.PriceElasticity * Math.Exp(lnSpread * ((2 * u) - 1));
        }

        var sigma = o.ProductElasticitySpread;
        for (int p = 0; p < products.Length; p++)
        {
            var category = categories[CategoryOf(p, categories.Length)];
            products[p] = sigma == 0 ? category : category * Math.Exp(sigma * rng.NextGaussian());
        }

        return (categories, products);
    }

    public static IReadOnlyList<SimulatedProduct> Describe(MarketSimulatorOptions o)
    {
        var (categories, products) = Elasticities(o);
        var list = new SimulatedProduct[products.Length];
        for (int p = 0; p < products.Length; p++)
        {
            int c = CategoryOf(p, categories.Length);
            list[p] = new SimulatedProduct(ProductKey(p, products.Length), CategoryName(c), categories[c], products[p]);
        }

        return list;
    }
}
