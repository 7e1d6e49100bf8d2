using System.Collections.Concurrent;
using AngleSharp;
using AngleSharp.Css.Dom;
using AngleSharp.Css.Parser;
using AngleSharp.Dom;

namespace PriceIntel.Scraping;

/// <summary>
/// CSS selectors compiled once and reused (AngleSharp otherwise parses the selector text on every
/// query), and one browsing context per thread for the HTML parser (creating one per page is costly).
/// </summary>
internal static class Selectors
{
    private static readonly ConcurrentDictionary<string, ISelector?> Cache = new(StringComparer.Ordinal);
    private static readonly Lock ParserLock = new();
    private static readonly CssSelectorParser Parser = new();

    [ThreadStatic]
    private static IBrowsingContext? t_context;

    public static IBrowsingContext Context => t_context ??= BrowsingContext.New(Configuration.Default);

    /// <summary>The compiled selector, or null when the text is not a valid selector.</summary>
    public static ISelector? Get(string selector) => Cache.GetOrAdd(selector, static text =>
    {
        lock (ParserLock)
        {
            try
            {
                return Parser.ParseSelector(text);
            }
            catch (DomException)
            {
                return null;
            }
        }
    });

    public static IElement? First(INode scope, string selector) =>
        Get(selector) is { } compiled ? scope.ChildNodes.QuerySelector(compiled) : null;

    public static IHtmlCollection<IElement>? All(INode scope, string selector) =>
        Get(selector) is { } compiled ? scope.ChildNodes.QuerySelectorAll(compiled) : null;
}
