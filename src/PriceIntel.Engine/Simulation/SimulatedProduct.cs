namespace PriceIntel;

/// <summary>One simulated product's ground truth: its key, category and true price elasticities (<see cref="MarketSimulator.Catalog"/>).</summary>
/// <param name="Key">The product key in the events (<c>SKU-000042</c>).</param>
/// <param name="Category">Its category (<c>category-01</c>, …).</param>
/// <param name="CategoryElasticity">The category's elasticity, the centre its products spread around.</param>
/// <param name="PriceElasticity">The product's own elasticity ε: sales scale with (our price / lowest competitor price)^−ε.</param>
public sealed record SimulatedProduct(string Key, string Category, double CategoryElasticity, double PriceElasticity);
