using PriceIntel.Engine.Scoring;
using PriceIntel.ML.History;

namespace PriceIntel.ML.Training;

/// <summary>
/// Fits the log-log demand model: for product p in hour t,
/// E[units] = exp(a_p − ε_p · ln(price / lowest competitor)) · h(hour of day), a Poisson regression
/// with one intercept per product. The hour-of-day factors h are the mean units per hour of day over
/// the overall mean. Each category's pooled elasticity maximises the likelihood of all its products
/// together (intercepts profiled out, Newton's method); each product's own estimate does the same on
/// its rows alone, with its standard error from the observed information; the elasticity used for
/// pricing shrinks the product's estimate towards its category's in proportion to their precisions
/// (empirical Bayes, between-product variance by the method of moments), so a product with a handful
/// of sales gets the category's elasticity and one with many keeps its own.
/// </summary>
public static class ElasticityEstimator
{
    /// <summary>Category used when no category map is given and for products it does not name: price tiers by the product's mean price.</summary>
    public static string PriceTier(double meanPrice) => meanPrice switch
    {
        < 10 => "under-10",
        < 100 => "10-100",
        < 1000 => "100-1000",
        _ => "1000-plus",
    };

    /// <summary>Fits the model on the rows of <paramref name="history"/> before <paramref name="until"/> that have a competitor price.</summary>
    /// <param name="history">The training data.</param>
    /// <param name="until">Rows at or after this hour start are not used (the validation period).</param>
    /// <param name="categories">Product key → category; null (or a product it does not name) uses <see cref="PriceTier"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="history"/> is null.</exception>
    /// <exception cref="ArgumentException">There is no usable row.</exception>
    public static ElasticityModel Fit(DemandHistory history, long until = long.MaxValue, IReadOnlyDictionary<string, string>? categories = null)
    {
        ArgumentNullException.ThrowIfNull(history);
        int products = history.ProductKeys.Count;
        var rowsOf = new List<int>[products];
        var hourUnits = new double[24];
        var hourRows = new double[24];
        var priceSum = new double[products];
        for (int r = 0; r < history.Count; r++)
        {
            if (history.HourStart[r] >= until)
            {
                continue;
            }

            var f = history.GetFeatures(r);
            if (f[13] == 0 || f[12] == 0)
            {
                continue; // no competitor price (no regressor), or out of stock (sales censored)
            }

            int p = history.ProductIndex[r];
            (rowsOf[p] ??= []).Add(r);
            priceSum[p] += history.Price[r];
            int h = HourOf(history.HourStart[r]);
            hourUnits[h] += history.Units[r];
            hourRows[h]++;
        }

        double totalUnits = hourUnits.Sum(), totalRows = hourRows.Sum();
        if (totalRows == 0)
        {
            throw new ArgumentException("The history has no product-hour with a competitor price before the split; nothing to fit.", nameof(history));
        }

        double mean = totalUnits / totalRows;
        var hourFactors = new double[24];
        for (int h = 0; h < 24; h++)
        {
            // Smoothed towards 1 so an hour with few rows cannot get an extreme factor.
            hourFactors[h] = mean > 0 ? (hourUnits[h] + (10 * mean)) / ((hourRows[h] * mean) + (10 * mean)) : 1;
        }

        var lnHour = hourFactors.Select(f => Math.Log(f)).ToArray();

        // Per product: x (log ratio), y (units), offset (ln hour factor).
        var data = new ProductData?[products];
        var categoryOf = new string[products];
        for (int p = 0; p < products; p++)
        {
            var rows = rowsOf[p];
            if (rows is null)
            {
                continue;
            }

            var x = new double[rows.Count];
            var y = new double[rows.Count];
            var o = new double[rows.Count];
            for (int i = 0; i < rows.Count; i++)
            {
                int r = rows[i];
                x[i] = history.GetFeatures(r)[DemandFeatures.LogRatioToLowest];
                y[i] = history.Units[r];
                o[i] = lnHour[HourOf(history.HourStart[r])];
            }

            data[p] = new ProductData(x, y, o);
            string key = history.ProductKeys[p];
            categoryOf[p] = categories is not null && categories.TryGetValue(key, out var c) ? c : PriceTier(priceSum[p] / rows.Count);
        }

        var categoryNames = categoryOf.Where(c => c is not null).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var categoryResults = new List<CategoryElasticity>();
        var productResults = new List<ProductElasticity>();
        foreach (var category in categoryNames)
        {
            var members = Enumerable.Range(0, products).Where(p => categoryOf[p] == category && data[p] is not null).ToArray();
            var (pooledBeta, pooledInfo) = Newton(members.Select(p => data[p]!).ToArray());
            double pooledSe = PooledStandardError(members.Select(p => data[p]!).ToArray(), pooledBeta, pooledInfo);

            // Overdispersion (bursts of demand, several units per purchase) makes each product's
            // Poisson standard error too small by the same factor as the pool's; without this the
            // between-product spread τ² takes that noise for real differences and shrinks too little.
            double inflation = pooledInfo > 0 && double.IsFinite(pooledSe) ? Math.Max(1, pooledSe * Math.Sqrt(pooledInfo)) : 1;

            // Each product's own estimate.
            var own = new (double Beta, double Se)[members.Length];
            for (int i = 0; i < members.Length; i++)
            {
                var d = data[members[i]]!;
                if (d.UnitSum == 0 || d.XSpread < 1e-6)
                {
                    own[i] = (double.NaN, double.PositiveInfinity);
                    continue;
                }

                var (b, info) = Newton([d], pooledBeta);
                own[i] = info > 1e-9 && double.IsFinite(b) ? (b, inflation / Math.Sqrt(info)) : (double.NaN, double.PositiveInfinity);
            }

            // Between-product variance τ² by the method of moments on products with an estimate.
            var usable = own.Where(o => double.IsFinite(o.Se)).ToArray();
            double tau2 = 0;
            if (usable.Length >= 3)
            {
                double spread = usable.Average(o => (o.Beta - pooledBeta) * (o.Beta - pooledBeta));
                double noise = usable.Average(o => o.Se * o.Se);
                tau2 = Math.Max(0, spread - noise);
            }

            double interceptSum = 0;
            for (int i = 0; i < members.Length; i++)
            {
                int p = members[i];
                var d = data[p]!;
                double beta = pooledBeta;
                if (double.IsFinite(own[i].Se) && tau2 > 0)
                {
                    double wOwn = 1 / (own[i].Se * own[i].Se), wPool = 1 / tau2;
                    beta = ((own[i].Beta * wOwn) + (pooledBeta * wPool)) / (wOwn + wPool);
                }

                double intercept = Math.Log((d.UnitSum + 0.5) / d.WeightSum(beta));
                interceptSum += intercept;
                productResults.Add(new ProductElasticity(
                    history.ProductKeys[p],
                    category,
                    intercept,
                    -beta,
                    double.IsFinite(own[i].Beta) ? -own[i].Beta : double.NaN,
                    own[i].Se,
                    d.Y.Length,
                    (long)d.UnitSum));
            }

            categoryResults.Add(new CategoryElasticity(category, -pooledBeta, pooledSe, Math.Sqrt(tau2), members.Length, members.Length == 0 ? 0 : interceptSum / members.Length));
        }

        return new ElasticityModel(productResults, categoryResults, hourFactors);
    }

    /// <summary>
    /// Standard error of the pooled slope, robust to overdispersion and to correlation within a product
    /// (viral spikes, restocks, purchases of several units): the cluster-robust sandwich
    /// √(Σ_p g_p²) / I with g_p each product's score at the estimate and I the information, never below
    /// the Poisson model's own 1/√I. With fewer than 20 products the Poisson one alone.
    /// </summary>
    private static double PooledStandardError(ProductData[] products, double beta, double information)
    {
        if (!(information > 0))
        {
            return double.PositiveInfinity;
        }

        double poisson = 1 / Math.Sqrt(information);
        double scores = 0;
        int used = 0;
        foreach (var d in products)
        {
            if (d.UnitSum == 0)
            {
                continue;
            }

            double g = d.GradientAndInformation(beta).Gradient;
            scores += g * g;
            used++;
        }

        if (used < 20)
        {
            return poisson;
        }

        // Small-sample correction G / (G − 1).
        double sandwich = Math.Sqrt(scores * used / (used - 1)) / information;
        return Math.Max(poisson, sandwich);
    }

    private static int HourOf(long ms) => (int)(((ms % 86_400_000L) + 86_400_000L) % 86_400_000L / 3_600_000L);

    /// <summary>
    /// Maximises Σ_p ℓ_p(β), each product's Poisson log-likelihood with its intercept profiled out:
    /// ℓ_p(β) = Σ y·β·x − Y_p · ln Σ exp(β·x + o). Returns β and the observed information −ℓ''(β).
    /// </summary>
    private static (double Beta, double Information) Newton(ProductData[] products, double start = -1)
    {
        double beta = start;
        double info = 0;
        for (int iteration = 0; iteration < 50; iteration++)
        {
            double gradient = 0;
            info = 0;
            foreach (var d in products)
            {
                if (d.UnitSum == 0)
                {
                    continue;
                }

                var (g, i) = d.GradientAndInformation(beta);
                gradient += g;
                info += i;
            }

            if (info <= 1e-12)
            {
                return (beta, 0);
            }

            double stepSize = Math.Clamp(gradient / info, -2, 2);
            beta += stepSize;
            if (Math.Abs(stepSize) < 1e-9)
            {
                break;
            }
        }

        return (beta, info);
    }

    private sealed class ProductData
    {
        public ProductData(double[] x, double[] y, double[] offset)
        {
            X = x;
            Y = y;
            Offset = offset;
            UnitSum = y.Sum();
            XSpread = x.Length == 0 ? 0 : x.Max() - x.Min();
        }

        public double[] X { get; }

        public double[] Y { get; }

        public double[] Offset { get; }

        public double UnitSum { get; }

        public double XSpread { get; }

        public double WeightSum(double beta)
        {
            double s = 0;
            for (int i = 0; i < X.Length; i++)
            {
                s += Math.Exp((beta * X[i]) + Offset[i]);
            }

            return s;
        }

        public (double Gradient, double Information) GradientAndInformation(double beta)
        {
            double w = 0, wx = 0, wxx = 0, yx = 0;
            for (int i = 0; i < X.Length; i++)
            {
                double e = Math.Exp((beta * X[i]) + Offset[i]);
                w += e;
                wx += e * X[i];
                wxx += e * X[i] * X[i];
                yx += Y[i] * X[i];
            }

            double mx = wx / w;
            double variance = Math.Max(0, (wxx / w) - (mx * mx));
            return (yx - (UnitSum * mx), UnitSum * variance);
        }
    }
}
