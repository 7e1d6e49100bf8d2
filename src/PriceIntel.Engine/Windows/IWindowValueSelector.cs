namespace PriceIntel.Engine.Windows;

/// <summary>
/// Picks which market events a window aggregator sees, under which key and with which value.
/// Implement it on a struct: the aggregator is generic over it, so the call inlines.
/// </summary>
internal interface IWindowValueSelector
{
    /// <summary>False to skip the event; otherwise the dense key and the value to aggregate.</summary>
    bool TrySelect(in MarketEvent marketEvent, out int key, out double value);
}

/// <summary>Competitor price events, keyed by product id, valued at the price in currency units.</summary>
internal readonly struct CompetitorPriceByProduct : IWindowValueSelector
{
    /// <inheritdoc />
    public bool TrySelect(in MarketEvent marketEvent, out int key, out double value)
    {
        key = marketEvent.ProductId;
        value = marketEvent.Price.ToDouble();
        return marketEvent.Kind == MarketEventKind.CompetitorPrice;
    }
}
