using System.Buffers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using PriceIntel.AspNetCore.Contracts;
using PriceIntel.AspNetCore.Engine;
using PriceIntel.AspNetCore.Feed;

namespace PriceIntel.AspNetCore.Endpoints;

/// <summary>Products: the catalog from the store, the live board from the engine, manual prices and price history.</summary>
internal static class ProductEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        var products = api.MapGroup("/products").WithTags("Products");
        products.MapGet("/", ListAsync)
            .AsCachedRead<PageDto<ProductDto>>("ListProducts", "Catalog products by SKU; filter by category; keyset paging with cursor")
            .ProducesValidationProblem();
        products.MapGet("/{sku}", GetAsync)
            .AsCachedRead<ProductDto>("GetProduct", "A product: catalog fields plus the live board (each competitor's price, lowest/median/highest, our rank and gap, window statistics, demand)")
            .ProducesProblem(StatusCodes.Status404NotFound);
        products.MapGet("/{sku}/board", GetBoardAsync)
            .AsCachedRead<BoardDto>("GetProductBoard", "The live board of a product the engine has seen (catalog or not)")
            .ProducesProblem(StatusCodes.Status404NotFound);
        products.MapPost("/", CreateAsync)
            .WithName("CreateProduct")
            .WithSummary("Add a product to the catalog; its cost, price, stock and MAP floor reach the engine")
            .RequireAuthorization(Policies.Price)
            .Produces<ProductDto>(StatusCodes.Status201Created)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict);
        products.MapPut("/{sku}", UpdateAsync)
            .WithName("UpdateProduct")
            .WithSummary("Replace a product's editable fields (not its price: use PUT /api/products/{sku}/price)")
            .RequireAuthorization(Policies.Price)
            .Produces<ProductDto>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);
        products.MapDelete("/{sku}", DeleteAsync)
            .WithName("DeleteProduct")
            .WithSummary("Remove a product from the catalog (its history stays)")
            .RequireAuthorization(Policies.Price)
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status404NotFound);
        products.MapPut("/{sku}/price", (string sku, SetPriceRequest request, HttpContext http, IMarketStore store, EngineHost engine, IMarketEventIngress ingress, LiveFeed feed, CancellationToken ct) =>
                PriceSetting.SetAsync(sku, request.Price, request.Currency, request.Reason, http.User, store, engine, ingress, feed, ct))
            .WithName("SetProductPrice")
            .WithSummary("Set a price by hand: reaches the engine as an event and is stored as a manual decision with who and why")
            .RequireAuthorization(Policies.Price)
            .Produces<DecisionDto>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);
        products.MapGet("/{sku}/history", HistoryAsync)
            .AsCachedRead<PriceHistoryDto>("GetPriceHistory", "Price history for charts: competitor price buckets (minute, hour or day) and our own prices over a time range")
            .ProducesValidationProblem();
        products.MapGet("/{sku}/demand", DemandEndpoint.GetAsync)
            .AsCachedRead<DemandHistoryDto>("GetDemandHistory", "Demand history for charts: views, add-to-carts, purchases, units, revenue, conversion and our mean price per hour or day bucket over a time range")
            .ProducesValidationProblem();
    }

    /// <summary>The product's live board; null when the engine has none or runs in the Kafka processors.</summary>
    internal static async Task<BoardDto?> ReadBoardAsync(EngineHost engine, string product, CancellationToken cancellationToken) =>
        engine.IsRemote ? null : await engine.QueryAsync(e => e.TryGetView(product, out var snapshot) ? BoardDto.From(snapshot) : null, cancellationToken).ConfigureAwait(false);

    private static async Task<IResult> ListAsync(IMarketStore store, string? category, [AsParameters] PageArgs page, CancellationToken cancellationToken)
    {
        if (!page.TryCheck(keyCursor: true, out int take, out var problem))
        {
            return problem;
        }

        var found = await store.QueryProductsAsync(new ProductQuery { Category = category, Limit = take, Cursor = page.Cursor }, cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(new PageDto<ProductDto>([.. found.Items.Select(p => ProductDto.From(p))], found.NextCursor));
    }

    private static async Task<IResult> GetAsync(string sku, IMarketStore store, EngineHost engine, IMarketEventIngress ingress, CancellationToken cancellationToken)
    {
        if (!Check.Key(sku, "sku", out _, out _))
        {
            return Problems.NotFound("product");
        }

        var product = await store.GetProductAsync(sku, cancellationToken).ConfigureAwait(false);
        if (product is null)
        {
            return Problems.NotFound("product");
        }

        var board = await ReadBoardAsync(engine, sku, cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(ProductDto.From(product, board));
    }

    private static async Task<IResult> GetBoardAsync(string sku, EngineHost engine, CancellationToken cancellationToken)
    {
        if (engine.IsRemote)
        {
            throw new EngineNotLocalException();
        }

        if (!Check.Key(sku, "sku", out _, out _))
        {
            return Problems.NotFound("product");
        }

        var board = await ReadBoardAsync(engine, sku, cancellationToken).ConfigureAwait(false);
        return board is null ? Problems.NotFound("product") : TypedResults.Ok(board);
    }

    private static async Task<IResult> CreateAsync(CreateProductRequest request, IMarketStore store, EngineHost engine, IMarketEventIngress ingress, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (!Check.Key(request.Sku, "sku", out var field, out var error))
        {
            errors[field!] = [error!];
        }

        var fields = new ProductFields(request.Name, request.Category, request.Currency, request.UnitCost, request.CurrentPrice, request.MapPrice, request.MinPrice, request.MaxPrice, request.Stock, request.WatchUrls);
        fields.Validate(errors, requirePrice: false);
        if (errors.Count > 0)
        {
            return Problems.Fields(errors);
        }

        if (await store.GetProductAsync(request.Sku!, cancellationToken).ConfigureAwait(false) is not null)
        {
            return Problems.Status(StatusCodes.Status409Conflict, "Conflict", "A product with this SKU exists; update it with PUT.");
        }

        var now = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        var product = fields.ToCatalog(request.Sku!, request.CurrentPrice, now, now);
        await store.UpsertProductsAsync([product], cancellationToken).ConfigureAwait(false);
        await SeedEngineAsync(engine, ingress, product, includePrice: true, cancellationToken).ConfigureAwait(false);
        return TypedResults.Created($"/api/products/{Uri.EscapeDataString(product.Sku)}", ProductDto.From(product));
    }

    private static async Task<IResult> UpdateAsync(string sku, UpdateProductRequest request, IMarketStore store, EngineHost engine, IMarketEventIngress ingress, CancellationToken cancellationToken)
    {
        var existing = Check.Key(sku, "sku", out _, out _) ? await store.GetProductAsync(sku, cancellationToken).ConfigureAwait(false) : null;
        if (existing is null)
        {
            return Problems.NotFound("product");
        }

        var errors = new Dictionary<string, string[]>();
        var fields = new ProductFields(request.Name, request.Category, request.Currency ?? existing.Currency, request.UnitCost, existing.CurrentPrice, request.MapPrice, request.MinPrice, request.MaxPrice, request.Stock, request.WatchUrls);
        fields.Validate(errors, requirePrice: false);
        if (request.Currency is not null && existing.CurrentPrice is not null && !string.Equals(request.Currency, existing.Currency, StringComparison.OrdinalIgnoreCase))
        {
            errors["currency"] = [$"the product is priced in {existing.Currency}; PriceIntel does not convert currencies"];
        }

        if (errors.Count > 0)
        {
            return Problems.Fields(errors);
        }

        var product = fields.ToCatalog(sku, existing.CurrentPrice, existing.Created, DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));
        await store.UpsertProductsAsync([product], cancellationToken).ConfigureAwait(false);
        await SeedEngineAsync(engine, ingress, product, includePrice: false, cancellationToken).ConfigureAwait(false);
        var stored = await store.GetProductAsync(sku, cancellationToken).ConfigureAwait(false) ?? product;
        return TypedResults.Ok(ProductDto.From(stored));
    }

    private static async Task<IResult> DeleteAsync(string sku, IMarketStore store, CancellationToken cancellationToken) =>
        Check.Key(sku, "sku", out _, out _) && await store.RemoveProductAsync(sku, cancellationToken).ConfigureAwait(false)
            ? TypedResults.NoContent()
            : Problems.NotFound("product");

    private static async Task<IResult> HistoryAsync(
        string sku,
        IMarketStore store,
        string? size,
        string? competitor,
        [AsParameters] TimePageArgs page,
        CancellationToken cancellationToken)
    {
        if (!Check.Key(sku, "sku", out _, out _))
        {
            return Problems.NotFound("product");
        }

        if (!QueryArgs.TryEnum<PriceBucketSize>(size, "size", out var bucketSize, out var problem) || !page.TryCheck(out int take, out problem))
        {
            return problem;
        }

        var (from, to) = (page.From, page.To);

        var resolved = bucketSize ?? PriceBucketSize.Hour;
        var buckets = await store.QueryPriceBucketsAsync(
            new PriceBucketQuery(sku, resolved) { Competitor = competitor, From = from, To = to, Limit = take, Cursor = page.Cursor },
            cancellationToken).ConfigureAwait(false);
        var ours = await store.QueryOurPricesAsync(new OurPriceQuery(sku) { From = from, To = to, Limit = take }, cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(new PriceHistoryDto(
            sku,
            resolved,
            from,
            to,
            [.. buckets.Items.Select(b => new PriceBucketDto(b.Competitor, b.Start, b.Open, b.High, b.Low, b.Close, b.Count, b.Currency))],
            [.. ours.Items.Select(o => new OurPriceDto(o.Time, o.Price, o.Currency, o.Source))],
            buckets.NextCursor));
    }

    /// <summary>Hands the catalog's cost, price, stock and MAP floor to the engine, so its board and pricing rules use them.</summary>
    private static async Task SeedEngineAsync(EngineHost engine, IMarketEventIngress ingress, CatalogProduct product, bool includePrice, CancellationToken cancellationToken)
    {
        var currency = CurrencyCode.Parse(product.Currency);
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        int id = ingress.Keys.Products.Intern(product.Sku);
        var events = ArrayPool<MarketEvent>.Shared.Rent(3);
        int count = 0;
        if (product.UnitCost is > 0 and var cost)
        {
            events[count++] = MarketEvent.Cost(id, Money.FromDecimal(cost), currency, now);
        }

        if (includePrice && product.CurrentPrice is > 0 and var price)
        {
            events[count++] = MarketEvent.ListPrice(id, Money.FromDecimal(price), currency, now);
        }

        if (product.Stock is { } stock)
        {
            events[count++] = MarketEvent.Inventory(id, stock, now);
        }

        var map = Money.FromDecimal(product.MapPrice ?? 0);
        if (!engine.IsRemote)
        {
            // The MAP floor is engine state, not an event: in the Kafka mode the processors take it from their own configuration.
            await engine.QueryAsync(e => { e.SetMapFloor(product.Sku, map); return true; }, cancellationToken).ConfigureAwait(false);
        }

        await ingress.PostAsync(events, count, waitForProcessing: true, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The catalog fields both create and update accept, checked together so every bad field is named.</summary>
    private sealed record ProductFields(
        string? Name,
        string? Category,
        string? Currency,
        decimal? UnitCost,
        decimal? CurrentPrice,
        decimal? MapPrice,
        decimal? MinPrice,
        decimal? MaxPrice,
        int? Stock,
        IReadOnlyList<string>? WatchUrls)
    {
        public void Validate(Dictionary<string, string[]> errors, bool requirePrice)
        {
            if (string.IsNullOrWhiteSpace(Name) || Name.Length > 1024)
            {
                errors["name"] = ["name is required: 1 to 1024 characters, not blank"];
            }

            if (Category is not null && (string.IsNullOrWhiteSpace(Category) || Category.Length > 256))
            {
                errors["category"] = ["category must be 1 to 256 characters, not blank"];
            }

            if (!Check.Currency(Currency, "currency", out _, out var field, out var error))
            {
                errors[field!] = [error!];
            }

            Amount(UnitCost, "unitCost", errors);
            Amount(MapPrice, "mapPrice", errors);
            Amount(MinPrice, "minPrice", errors);
            Amount(MaxPrice, "maxPrice", errors);
            if (CurrentPrice is not null || requirePrice)
            {
                if (!Check.Price(CurrentPrice, "currentPrice", out _, out field, out error))
                {
                    errors[field!] = [error!];
                }
            }

            if (MinPrice is { } min && MaxPrice is { } max && min > max)
            {
                errors["minPrice"] = ["minPrice must not exceed maxPrice"];
            }

            if (Stock is < 0)
            {
                errors["stock"] = ["stock must not be negative"];
            }

            var urls = WatchUrls ?? [];
            if (urls.Count > 32)
            {
                errors["watchUrls"] = ["at most 32 watch URLs"];
            }

            for (int i = 0; i < urls.Count; i++)
            {
                if (!Uri.TryCreate(urls[i], UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps) || urls[i].Length > 2048)
                {
                    errors[$"watchUrls[{i}]"] = ["must be an absolute http(s) URL of at most 2048 characters"];
                }
            }
        }

        public CatalogProduct ToCatalog(string sku, decimal? currentPrice, DateTimeOffset created, DateTimeOffset updated) =>
            new(sku, Name!.Trim(), Category, CurrencyCode.Parse(Currency!).ToString(), UnitCost, currentPrice, MapPrice, MinPrice, MaxPrice, Stock, WatchUrls ?? [], created, updated);

        private static void Amount(decimal? value, string field, Dictionary<string, string[]> errors)
        {
            if (value is { } v && (v < 0 || v > Money.MaxPrice.ToDecimal()))
            {
                errors[field] = [$"{field} must be between 0 and {Money.MaxPrice}"];
            }
        }
    }
}
