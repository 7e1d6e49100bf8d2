namespace PriceIntel.Scraping;

/// <summary>The watch-list scheduler behind <see cref="WatchList.CreateSource"/>.</summary>
internal sealed class WatchListSource : IWatchListSource
{
    private readonly WatchItem[] _items;
    private readonly IPageFetcher _fetcher;
    private readonly ProductPageExtractor _extractor;
    private readonly WatchListOptions _options;
    private readonly TimeProvider _time;
    private readonly Random _random;
    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _disposed = new();

    // Struct-of-arrays state per item.
    private readonly int[] _productIds;
    private readonly int[] _competitorIds;
    private readonly int[] _platformIds;
    private readonly DateTimeOffset[] _nextDue;
    private readonly DateTimeOffset?[] _lastFetched;
    private readonly DateTimeOffset?[] _lastEmitted;
    private readonly Money?[] _lastPrice;
    private readonly CurrencyCode[] _lastCurrency;
    private readonly Availability[] _lastAvailability;
    private readonly int[] _failures;
    private readonly string?[] _lastFailure;

    public WatchListSource(WatchItem[] items, MarketKeys keys, IPageFetcher fetcher, ProductPageExtractor extractor, WatchListOptions options, TimeProvider time)
    {
        _items = items;
        _fetcher = fetcher;
        _extractor = extractor;
        _options = options;
        _time = time;
        _random = options.Seed is { } seed ? new Random(seed) : new Random();
        int n = items.Length;
        _productIds = new int[n];
        _competitorIds = new int[n];
        _platformIds = new int[n];
        _nextDue = new DateTimeOffset[n];
        _lastFetched = new DateTimeOffset?[n];
        _lastEmitted = new DateTimeOffset?[n];
        _lastPrice = new Money?[n];
        _lastCurrency = new CurrencyCode[n];
        _lastAvailability = new Availability[n];
        _failures = new int[n];
        _lastFailure = new string?[n];
        var now = time.GetUtcNow();
        for (int i = 0; i < n; i++)
        {
            _productIds[i] = keys.Products.Intern(items[i].Product);
            _competitorIds[i] = keys.Competitors.Intern(items[i].Competitor);
            _platformIds[i] = keys.Platforms.Intern(items[i].Platform ?? items[i].Url.Host);

            // Spread the first fetches over the first jitter fraction of each interval.
            _nextDue[i] = now + (items[i].Every * (options.Jitter * _random.NextDouble()));
        }
    }

    public string Name => $"watch-list({_items.Length} pages)";

    public IReadOnlyList<WatchStatus> GetStatus()
    {
        lock (_lock)
        {
            var result = new WatchStatus[_items.Length];
            for (int i = 0; i < result.Length; i++)
            {
                result[i] = new WatchStatus(_items[i], _nextDue[i], _lastFetched[i], _lastPrice[i], _lastCurrency[i], _lastAvailability[i], _failures[i], _lastFailure[i]);
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
                var now = _time.GetUtcNow();
                var due = DueItems(now, Math.Min(destination.Length, _options.MaxConcurrentFetches));
                if (due.Count == 0)
                {
                    await Task.Delay(EarliestDue() - now, _time, token).ConfigureAwait(false);
                    continue;
                }

                var tasks = new Task<MarketEvent?>[due.Count];
                for (int k = 0; k < due.Count; k++)
                {
                    tasks[k] = ObserveAsync(due[k], rejections, token);
                }

                await Task.WhenAll(tasks).ConfigureAwait(false);
                int written = 0;
                var span = destination.Span;
                foreach (var task in tasks)
                {
                    if (task.Result is { } observation)
                    {
                        span[written++] = observation;
                    }
                }

                if (written > 0)
                {
                    return written;
                }
            }
        }
        catch (OperationCanceledException) when (_disposed.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return 0;
        }
    }

    private List<int> DueItems(DateTimeOffset now, int max)
    {
        var due = new List<int>();
        lock (_lock)
        {
            for (int i = 0; i < _items.Length && due.Count < max; i++)
            {
                if (_nextDue[i] <= now)
                {
                    due.Add(i);
                }
            }

            // Most overdue first when more are due than can run at once.
            due.Sort((a, b) => _nextDue[a].CompareTo(_nextDue[b]));
        }

        return due;
    }

    private DateTimeOffset EarliestDue()
    {
        lock (_lock)
        {
            var earliest = DateTimeOffset.MaxValue;
            foreach (var due in _nextDue)
            {
                if (due < earliest)
                {
                    earliest = due;
                }
            }

            return earliest;
        }
    }

    private async Task<MarketEvent?> ObserveAsync(int i, IRejectionSink rejections, CancellationToken cancellationToken)
    {
        var item = _items[i];
        string? failure;
        MarketEvent? observation = null;
        try
        {
            var result = await _fetcher.FetchAsync(item.Url, cancellationToken).ConfigureAwait(false);
            if (!result.IsSuccess)
            {
                failure = $"fetch {result.Outcome}: {result.Reason}";
            }
            else
            {
                var page = _extractor.Extract(result.Body!, result.FinalUrl, new PriceParseHints(item.Currency));
                failure = Judge(item, page);
                if (failure is null)
                {
                    observation = Record(i, page);
                }
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            failure = $"{e.GetType().Name}: {e.Message}";
        }

        var now = _time.GetUtcNow();
        lock (_lock)
        {
            _lastFetched[i] = now;
            _nextDue[i] = now + (item.Every * (1 + (_options.Jitter * ((2 * _random.NextDouble()) - 1))));
            if (failure is null)
            {
                _failures[i] = 0;
                _lastFailure[i] = null;
            }
            else
            {
                _failures[i]++;
                _lastFailure[i] = failure;
            }
        }

        if (failure is not null)
        {
            rejections.Reject(RejectedInput.Create(Name, i + 1, $"{item.Competitor} / {item.Product}: {failure}", item.Url.ToString()));
        }

        return observation;
    }

    private string? Judge(WatchItem item, ProductPage page)
    {
        if (page.Failure is not null)
        {
            return $"page could not be parsed: {page.Failure}";
        }

        if (item.ExpectedGtin is not null && page.Gtin.HasValue && !ProductMatching.GtinMatches(item.ExpectedGtin, page.Gtin.Value))
        {
            return $"GTIN mismatch: expected {item.ExpectedGtin}, page shows {page.Gtin.Value}";
        }

        if (!page.Price.HasValue)
        {
            return page.Availability.Value == Availability.OutOfStock ? null : "no price found on the page";
        }

        if (!page.Currency.HasValue)
        {
            return $"price {page.Price.Value} has no currency; set WatchItem.Currency";
        }

        if (page.Price.Confidence < _options.MinConfidence)
        {
            return $"price {page.Price.Value} {page.Currency.Value} found by {page.Price.Method} with confidence {page.Price.Confidence:0.00}, below {_options.MinConfidence:0.00}";
        }

        return null;
    }

    /// <summary>Updates the item's last observation; returns an event when it changed or the heartbeat is due.</summary>
    private MarketEvent? Record(int i, ProductPage page)
    {
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            var availability = page.Availability.HasValue ? page.Availability.Value : Availability.Unknown;
            Money price;
            CurrencyCode currency;
            if (page.Price.HasValue)
            {
                price = page.Price.Value;
                currency = page.Currency.Value;
            }
            else if (_lastPrice[i] is { } last)
            {
                // Out of stock with no price shown: the last price, marked out of stock.
                price = last;
                currency = _lastCurrency[i];
            }
            else
            {
                _lastAvailability[i] = availability;
                return null;
            }

            bool changed = _lastPrice[i] != price || _lastCurrency[i] != currency || _lastAvailability[i] != availability;
            bool heartbeat = _lastEmitted[i] is not { } emitted || now - emitted >= _options.Heartbeat;
            _lastPrice[i] = price;
            _lastCurrency[i] = currency;
            _lastAvailability[i] = availability;
            if (!changed && !heartbeat)
            {
                return null;
            }

            _lastEmitted[i] = now;
            return MarketEvent.CompetitorPrice(_productIds[i], _competitorIds[i], _platformIds[i], price, currency, availability, now.ToUnixTimeMilliseconds());
        }
    }

    public ValueTask DisposeAsync()
    {
        _disposed.Cancel();
        return ValueTask.CompletedTask;
    }
}
