using System.Globalization;

namespace PriceIntel.Scraping;

/// <summary>The feed poller behind <see cref="FeedSource.Create"/>.</summary>
internal sealed class PriceFeedSource : IFeedSource
{
    private const string FeedAccept = "application/json, application/xml;q=0.9, text/xml;q=0.9, application/rss+xml;q=0.9, application/atom+xml;q=0.9, text/csv;q=0.9, */*;q=0.5";

    private readonly PriceFeed[] _feeds;
    private readonly MarketKeys _keys;
    private readonly IPageFetcher _fetcher;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _disposed = new();
    private readonly Queue<MarketEvent> _pending = new();
    private readonly State[] _state;

    private sealed class State
    {
        public DateTimeOffset NextDue;
        public DateTimeOffset? LastPolled;
        public DateTimeOffset? LastChanged;
        public int Failures;
        public string? LastFailure;
        public long Accepted;
        public long Rejected;
        public long Unmatched;
        public long NotModified;
        public string? ETag;
        public DateTimeOffset? LastModified;
        public int CompetitorId;
        public int PlatformId;
    }

    public PriceFeedSource(PriceFeed[] feeds, MarketKeys keys, IPageFetcher fetcher, TimeProvider time)
    {
        _feeds = feeds;
        _keys = keys;
        _fetcher = fetcher;
        _time = time;
        _state = new State[feeds.Length];
        var now = time.GetUtcNow();
        for (int i = 0; i < feeds.Length; i++)
        {
            _state[i] = new State
            {
                NextDue = now,
                CompetitorId = keys.Competitors.Intern(feeds[i].Competitor),
                PlatformId = keys.Platforms.Intern(feeds[i].Platform ?? feeds[i].Url.Host),
            };
        }
    }

    public string Name => $"price-feeds({_feeds.Length})";

    public IReadOnlyList<FeedStatus> GetStatus()
    {
        lock (_lock)
        {
            var result = new FeedStatus[_feeds.Length];
            for (int i = 0; i < _feeds.Length; i++)
            {
                var s = _state[i];
                result[i] = new FeedStatus(_feeds[i], s.NextDue, s.LastPolled, s.LastChanged, s.Failures, s.LastFailure, s.Accepted, s.Rejected, s.Unmatched, s.NotModified);
            }

            return result;
        }
    }

    public async ValueTask<int> ReadAsync(Memory<MarketEvent> destination, IRejectionSink rejections, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rejections);
        if (destination.IsEmpty || _disposed.IsCancellationRequested)
        {
            return 0;
        }

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposed.Token);
        var token = linked.Token;
        try
        {
            while (true)
            {
                int drained = Drain(destination.Span);
                if (drained > 0)
                {
                    return drained;
                }

                var now = _time.GetUtcNow();
                int due = NextDue(now, out var earliest);
                if (due < 0)
                {
                    await Task.Delay(earliest - now, _time, token).ConfigureAwait(false);
                    continue;
                }

                await PollAsync(due, rejections, token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (_disposed.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return 0;
        }
    }

    private int Drain(Span<MarketEvent> destination)
    {
        lock (_lock)
        {
            int n = 0;
            while (n < destination.Length && _pending.TryDequeue(out var e))
            {
                destination[n++] = e;
            }

            return n;
        }
    }

    private int NextDue(DateTimeOffset now, out DateTimeOffset earliest)
    {
        lock (_lock)
        {
            earliest = DateTimeOffset.MaxValue;
            int best = -1;
            for (int i = 0; i < _state.Length; i++)
            {
                if (_state[i].NextDue < earliest)
                {
                    earliest = _state[i].NextDue;
                    best = i;
                }
            }

            return earliest <= now ? best : -1;
        }
    }

    private async Task PollAsync(int i, IRejectionSink rejections, CancellationToken cancellationToken)
    {
        var feed = _feeds[i];
        var state = _state[i];
        FetchRequest request;
        lock (_lock)
        {
            request = new FetchRequest { IfNoneMatch = state.ETag, IfModifiedSince = state.LastModified, Accept = FeedAccept };
        }

        var result = await _fetcher.FetchAsync(feed.Url, request, cancellationToken).ConfigureAwait(false);
        var now = _time.GetUtcNow();
        string? failure = null;
        List<FeedRow>? rows = null;
        if (result.Outcome == FetchOutcome.NotModified)
        {
            lock (_lock)
            {
                state.NotModified++;
            }
        }
        else if (!result.IsSuccess)
        {
            failure = $"fetch {result.Outcome}: {result.Reason}";
        }
        else
        {
            try
            {
                rows = FeedParser.Parse(result.Body ?? "", feed.Format, feed.Fields);
            }
            catch (FormatException e)
            {
                failure = $"feed could not be read: {e.Message}";
            }
        }

        long accepted = 0, rejected = 0, unmatched = 0;
        var events = new List<MarketEvent>();
        if (rows is not null)
        {
            foreach (var row in rows)
            {
                switch (MapRow(feed, state, row, now, out var observation, out var reason))
                {
                    case RowOutcome.Accepted:
                        events.Add(observation);
                        accepted++;
                        break;
                    case RowOutcome.Unmatched:
                        unmatched++;
                        break;
                    default:
                        rejected++;
                        rejections.Reject(RejectedInput.Create(Name, row.Position, $"{feed.Name} item {row.Position}: {reason}", row.Raw));
                        break;
                }
            }
        }

        if (failure is not null)
        {
            rejections.Reject(RejectedInput.Create(Name, 0, $"{feed.Name}: {failure}", feed.Url.ToString()));
        }

        lock (_lock)
        {
            state.LastPolled = now;
            state.NextDue = now + feed.Every;
            if (failure is null)
            {
                state.Failures = 0;
                state.LastFailure = null;
                if (rows is not null)
                {
                    state.LastChanged = now;
                    state.ETag = result.ETag;
                    state.LastModified = result.LastModified;
                }
            }
            else
            {
                state.Failures++;
                state.LastFailure = failure;
            }

            state.Accepted += accepted;
            state.Rejected += rejected;
            state.Unmatched += unmatched;
            foreach (var e in events)
            {
                _pending.Enqueue(e);
            }
        }
    }

    private enum RowOutcome : byte
    {
        Accepted,
        Unmatched,
        Rejected,
    }

    private RowOutcome MapRow(PriceFeed feed, State state, FeedRow row, DateTimeOffset now, out MarketEvent observation, out string? reason)
    {
        observation = default;
        reason = null;
        var fields = feed.Fields;
        if (row.Get("\u0001xml") is { } xmlError)
        {
            reason = $"the XML breaks off here: {xmlError}";
            return RowOutcome.Rejected;
        }

        if (row.Get("\u0001columns") is { } columns)
        {
            reason = columns;
            return RowOutcome.Rejected;
        }

        var id = row.Get(fields.Product);
        if (id is null)
        {
            reason = $"no '{fields.Product}' (the product id)";
            return RowOutcome.Rejected;
        }

        string product = id;
        if (feed.ProductKeys is { } map)
        {
            var gtin = row.Get(fields.Gtin);
            if (!map.TryGetValue(id, out product!) && (gtin is null || !map.TryGetValue(gtin, out product!)))
            {
                return RowOutcome.Unmatched;
            }
        }

        var declared = default(CurrencyCode);
        if (row.Get(fields.Currency) is { } currencyText && !PriceText.TryParseCurrency(currencyText, feed.Currency, out declared))
        {
            reason = $"'{fields.Currency}' is '{currencyText}', not a currency";
            return RowOutcome.Rejected;
        }

        var hintCurrency = declared.IsEmpty ? feed.Currency : declared;
        var priceText = row.Get(fields.Price);
        if (priceText is null)
        {
            reason = $"no '{fields.Price}'";
            return RowOutcome.Rejected;
        }

        if (!TryReadPrice(priceText, hintCurrency, out var price, out var currency))
        {
            reason = $"'{fields.Price}' is '{priceText}', not a price";
            return RowOutcome.Rejected;
        }

        if (row.Get(fields.SalePrice) is { } saleText && TryReadPrice(saleText, hintCurrency, out var sale, out var saleCurrency) &&
            sale < price && (saleCurrency.IsEmpty || currency.IsEmpty || saleCurrency == currency) && SaleInEffect(row.Get(fields.SalePriceEffectiveDate), now))
        {
            price = sale;
            currency = saleCurrency.IsEmpty ? currency : saleCurrency;
        }

        if (currency.IsEmpty)
        {
            currency = hintCurrency;
        }

        if (currency.IsEmpty)
        {
            reason = $"price '{priceText}' names no currency; set PriceFeed.Currency or map FeedFieldMap.Currency";
            return RowOutcome.Rejected;
        }

        var availability = row.Get(fields.Availability) is { } stock ? FeedAvailability(stock) : Availability.Unknown;
        int productId;
        try
        {
            productId = _keys.Products.Intern(product);
        }
        catch (ArgumentException e)
        {
            reason = $"product key '{product}' refused: {e.Message}";
            return RowOutcome.Rejected;
        }

        observation = MarketEvent.CompetitorPrice(productId, state.CompetitorId, state.PlatformId, price, currency, availability, now.ToUnixTimeMilliseconds());
        return RowOutcome.Accepted;
    }

    private static bool TryReadPrice(string text, CurrencyCode hint, out Money price, out CurrencyCode currency)
    {
        var hints = new PriceParseHints(hint, CurrencySymbols.ConventionalDecimalSeparator(hint) is var sep && sep != '\0' ? sep : '.');
        if (PriceValue.TryRead(text, hints, out price, out currency))
        {
            return true;
        }

        // Machine-written feeds: "15.00 USD" with a point whatever the currency.
        var parsed = PriceText.Parse(text, new PriceParseHints(hint, '.'));
        price = parsed.Amount;
        currency = parsed.Currency;
        return parsed.HasPrice;
    }

    /// <summary>Google's "start/end" ISO 8601 interval; a missing or unreadable one counts as in effect.</summary>
    private static bool SaleInEffect(string? interval, DateTimeOffset now)
    {
        if (interval is null)
        {
            return true;
        }

        int slash = interval.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            return true;
        }

        bool hasStart = DateTimeOffset.TryParse(interval.AsSpan(0, slash), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var start);
        bool hasEnd = DateTimeOffset.TryParse(interval.AsSpan(slash + 1), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var end);
        return (!hasStart || now >= start) && (!hasEnd || now < end);
    }

    private static Availability FeedAvailability(string text)
    {
        var t = text.Trim().Replace('_', ' ');
        if (t.Equals("true", StringComparison.OrdinalIgnoreCase) || t.Equals("1", StringComparison.Ordinal) || t.Equals("yes", StringComparison.OrdinalIgnoreCase))
        {
            return Availability.InStock;
        }

        if (t.Equals("false", StringComparison.OrdinalIgnoreCase) || t.Equals("0", StringComparison.Ordinal) || t.Equals("no", StringComparison.OrdinalIgnoreCase))
        {
            return Availability.OutOfStock;
        }

        if (t.Equals("preorder", StringComparison.OrdinalIgnoreCase) || t.Equals("backorder", StringComparison.OrdinalIgnoreCase))
        {
            return Availability.PreOrder;
        }

        return PageFields.ParseAvailability(t);
    }

    public ValueTask DisposeAsync()
    {
        _disposed.Cancel();
        return ValueTask.CompletedTask;
    }
}
