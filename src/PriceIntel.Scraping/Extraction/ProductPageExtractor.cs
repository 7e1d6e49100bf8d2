using System.Diagnostics;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;
using AngleSharp.Html.Parser.Tokens;
using AngleSharp.Text;

namespace PriceIntel.Scraping;

/// <summary>
/// Reads price, currency, availability, title and identifiers from a product page, trying in order
/// of trust: JSON-LD, microdata, RDFa, OpenGraph/product meta tags, the selector profiles for the
/// site, then a visual heuristic. Each field records the method that produced it and a confidence.
/// Thread-safe: one instance can serve many pages at once.
/// </summary>
/// <remarks>
/// <para><b>Hostile input.</b> <see cref="Extract"/> never throws on any page content: malformed HTML,
/// JSON-LD with lone UTF-16 surrogates (raw or as <c>\ud800</c> escapes), absurd nesting or sizes all
/// end in a <see cref="ProductPage"/> (possibly empty, with <see cref="ProductPage.Failure"/> or
/// <see cref="ProductPage.Truncated"/> set).</para>
/// <para><b>Time.</b> The whole extraction — parse, structured data, selector profiles, visual heuristic —
/// runs under one deadline, <see cref="ProductPageExtractorOptions.MaxExtractionTime"/> (default 2 s);
/// parsing alone under <see cref="ProductPageExtractorOptions.ParseTimeout"/>. The deadline is checked
/// every 256 parser tokens and every 64 elements, so it is overrun by at most one such step.</para>
/// <para><b>Memory.</b> Input is cut to <see cref="ProductPageExtractorOptions.MaxHtmlChars"/>; no element's
/// text is materialised beyond a few hundred characters (text is read with early stops, never through
/// <c>TextContent</c> of a large subtree); at most <see cref="ProductPageExtractorOptions.MaxJsonLdChars"/>
/// characters of JSON-LD are parsed in total. Allocation is therefore linear in the input, mostly AngleSharp's
/// DOM: 2 MB pages of four hostile shapes (deep wrappers, 100 k price elements, one huge text, a long
/// single-child chain) allocate 6 to 93 MB over the whole extraction (was over 1 GB); a test holds it under 200 MB.</para>
/// </remarks>
public sealed class ProductPageExtractor
{
    private readonly ProductPageExtractorOptions _options;
    private readonly SelectorProfile[] _profiles;

    /// <summary>Creates an extractor.</summary>
    /// <param name="options">Limits and profiles; defaults when null.</param>
    public ProductPageExtractor(ProductPageExtractorOptions? options = null)
    {
        _options = options ?? new ProductPageExtractorOptions();
        _profiles = [.. _options.Profiles];
    }

    /// <summary>Extracts what the page says about its product.</summary>
    /// <param name="html">The page's HTML.</param>
    /// <param name="pageUrl">The page address: picks the site's selector profiles; optional.</param>
    /// <param name="hints">Currency and locale hints from outside the page (e.g. the competitor's currency); <c>default</c> for none. The page's own declarations win.</param>
    /// <returns>The fields found; <see cref="ProductPage.Failure"/> says why when the page could not be read, or was read only in part before the time budget ran out.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="html"/> is null (the only exception this method throws).</exception>
    public ProductPage Extract(string html, Uri? pageUrl = null, PriceParseHints hints = default)
    {
        ArgumentNullException.ThrowIfNull(html);
        try
        {
            return ExtractCore(html, pageUrl, hints);
        }
#pragma warning disable CA1031 // the contract is "never throws on content": any defect below ends as a failed page
        catch (Exception e)
#pragma warning restore CA1031
        {
            return new ProductPage { Failure = $"Extraction failed ({e.GetType().Name}): {e.Message}" };
        }
    }

    private ProductPage ExtractCore(string html, Uri? pageUrl, PriceParseHints hints)
    {
        var deadline = new ExtractionDeadline(_options.MaxExtractionTime);
        bool truncated = false;
        if (html.Length > _options.MaxHtmlChars)
        {
            html = html[.._options.MaxHtmlChars];
            truncated = true;
        }

        int cut = NestingGuard.FindCut(html, _options.MaxDepth * 2);
        if (cut >= 0)
        {
            html = html[..cut];
            truncated = true;
        }

        var budget = new ParseBudget(_options.ParseTimeout < _options.MaxExtractionTime ? _options.ParseTimeout : _options.MaxExtractionTime);
        var parser = new HtmlParser(new HtmlParserOptions
        {
            MaximumDepth = _options.MaxDepth,
            IsScripting = false,
            SkipComments = true,
            OnToken = budget.OnToken,
        }, Selectors.Context);

        IDocument document;
        try
        {
            document = parser.ParseDocument(html);
        }
        catch (ParseBudgetExceededException e)
        {
            return new ProductPage { Truncated = truncated, Failure = e.Message, StoppedEarly = true };
        }

        using (document)
        {
            return Read(document, pageUrl, hints, truncated, deadline);
        }
    }

    private ProductPage Read(IDocument document, Uri? pageUrl, PriceParseHints outside, bool truncated, ExtractionDeadline deadline)
    {
        var pageHints = PageHints(document, pageUrl, outside.IsEmptyHints() ? _options.DefaultHints : outside);
        var fields = new PageFields { Hints = pageHints with { PreferExcludingTax = _options.PreferExcludingTax } };
        var blocks = new List<string>();
        foreach (var script in Selectors.All(document, "script[type]")!)
        {
            var type = script.GetAttribute("type");
            if (type is not null && type.Trim().StartsWith("application/ld+json", StringComparison.OrdinalIgnoreCase))
            {
                blocks.Add(script.TextContent);
            }
        }

        JsonLdReader.Read(blocks, fields, _options.MaxJsonLdChars, deadline);
        if (!deadline.Expired)
        {
            ScopedDataReader.Microdata.Read(document, fields);
        }

        if (!deadline.Expired)
        {
            ScopedDataReader.Rdfa.Read(document, fields);
        }

        if (!deadline.Expired)
        {
            MetaTagReader.Read(document, fields);
        }

        bool structured = fields.HasPrice;
        if (!deadline.Expired && (!fields.HasPrice || !fields.Title.HasValue))
        {
            SelectorProfileReader.Read(document, pageUrl?.Host, _profiles, fields);
        }

        // The visual heuristic always runs (within the budget): it fills gaps and gives the cross-check what a shopper sees.
        if (!deadline.Expired)
        {
            var visual = new PageFields { Hints = fields.Hints };
            VisualPriceHeuristic.Read(document, visual, deadline);
            foreach (var candidate in visual.Candidates)
            {
                fields.AddCandidate(candidate);
            }

            fields.Visible.AddRange(visual.Visible);
            if (!fields.HasPrice && visual.Price.HasValue)
            {
                fields.OfferPrice(visual.Price.Value, visual.Currency.Value, ExtractionMethod.VisualHeuristic, visual.Price.Confidence);
            }
            else if (fields.HasPrice)
            {
                PriceCrossChecker.Check(fields, visual.Price, visual.Currency, structured);
            }

            PageFields.Offer(ref fields.Title, visual.Title.Value, ExtractionMethod.VisualHeuristic, visual.Title.Confidence);
            if (visual.Availability.HasValue)
            {
                fields.OfferAvailability(visual.Availability.Value, ExtractionMethod.VisualHeuristic, visual.Availability.Confidence);
            }
        }

        // A price with no currency from its method takes the page's declared currency.
        if (fields.Price.HasValue && !fields.Currency.HasValue && !fields.Hints.Currency.IsEmpty)
        {
            fields.OfferCurrency(fields.Hints.Currency, fields.Price.Method, fields.Price.Confidence * 0.9);
        }

        PageFields.Offer(ref fields.Title, document.Title, ExtractionMethod.VisualHeuristic, 0.4);
        var page = fields.ToPage(truncated);
        if (!deadline.ExpiredSeen && !deadline.Expired)
        {
            return page;
        }

        // Out of time: what was found stays; a page with no price at all is a failure.
        return page with
        {
            StoppedEarly = true,
            Failure = page.Price.HasValue ? null : $"Extraction stopped after the {deadline.Budget.TotalMilliseconds:0} ms budget before a price was found.",
        };
    }

    private static PriceParseHints PageHints(IDocument document, Uri? pageUrl, PriceParseHints outside)
    {
        var lang = document.DocumentElement?.GetAttribute("lang");
        var locale = lang is null ? default : PriceParseHints.ForLocale(lang);
        var declared = MetaTagReader.DeclaredCurrency(document, outside.Currency.IsEmpty ? locale.Currency : outside.Currency);

        // The country TLD speaks when the language does not name a region ("sv" on shop.example.se, "en" on .ca).
        var byHost = pageUrl is null ? default : CurrencyContext.CurrencyOfHost(pageUrl.Host);
        var currency = !declared.IsEmpty ? declared : !outside.Currency.IsEmpty ? outside.Currency : !locale.Currency.IsEmpty ? locale.Currency : byHost;
        var separator = outside.DecimalSeparator != '\0' ? outside.DecimalSeparator : locale.DecimalSeparator;
        return new PriceParseHints(currency, separator);
    }

    /// <summary>Stops the parser when the time budget is spent (checked every 256 tokens).</summary>
    private sealed class ParseBudget(TimeSpan timeout)
    {
        private readonly long _deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        private int _tokens;

        public void OnToken(HtmlToken token, TextRange range)
        {
            if ((++_tokens & 255) == 0 && Stopwatch.GetTimestamp() > _deadline)
            {
                throw new ParseBudgetExceededException($"HTML parsing stopped after {timeout.TotalMilliseconds:0} ms ({_tokens} tokens).");
            }
        }
    }

    private sealed class ParseBudgetExceededException(string message) : Exception(message);
}

/// <summary>Helpers on <see cref="PriceParseHints"/>.</summary>
internal static class PriceParseHintsExtensions
{
    public static bool IsEmptyHints(this PriceParseHints hints) => hints.Currency.IsEmpty && hints.DecimalSeparator == '\0';
}
