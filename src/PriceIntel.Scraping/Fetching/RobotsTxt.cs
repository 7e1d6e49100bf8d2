namespace PriceIntel.Scraping;

/// <summary>
/// The rules of one robots.txt for one crawler, per RFC 9309: the groups naming the crawler's
/// product token (case-insensitive; several are merged) or else the "*" groups; the longest
/// matching allow/disallow pattern wins, allow on a tie; '*' matches any run of characters and
/// a trailing '$' anchors the end. /robots.txt itself is always allowed.
/// </summary>
internal sealed class RobotsTxt
{
    /// <summary>Allows everything (robots.txt missing: a 4xx).</summary>
    public static readonly RobotsTxt AllowAll = new([], null);

    /// <summary>Disallows everything (robots.txt unreachable: a 5xx or network failure).</summary>
    public static readonly RobotsTxt DisallowAll = new([new Rule("/", false)], null);

    private readonly Rule[] _rules;

    private RobotsTxt(Rule[] rules, TimeSpan? crawlDelay)
    {
        _rules = rules;
        CrawlDelay = crawlDelay;
    }

    /// <summary>The group's Crawl-delay (not in RFC 9309, widely used), capped at 60 s.</summary>
    public TimeSpan? CrawlDelay { get; }

    private readonly record struct Rule(string Pattern, bool Allow);

    public static RobotsTxt Parse(string content, string productToken)
    {
        var mine = new List<Rule>();
        var star = new List<Rule>();
        TimeSpan? myDelay = null;
        TimeSpan? starDelay = null;
        bool foundMine = false;
        bool inAgents = false;
        bool groupIsMine = false;
        bool groupIsStar = false;
        foreach (var rawLine in content.AsSpan().EnumerateLines())
        {
            var line = rawLine;
            int hash = line.IndexOf('#');
            if (hash >= 0)
            {
                line = line[..hash];
            }

            int colon = line.IndexOf(':');
            if (colon <= 0)
            {
                continue;
            }

            var key = line[..colon].Trim();
            var value = line[(colon + 1)..].Trim();
            if (key.Equals("user-agent", StringComparison.OrdinalIgnoreCase))
            {
                if (!inAgents)
                {
                    groupIsMine = false;
                    groupIsStar = false;
                    inAgents = true;
                }

                if (value.Equals("*", StringComparison.Ordinal))
                {
                    groupIsStar = true;
                }
                else if (MatchesToken(value, productToken))
                {
                    groupIsMine = true;
                    foundMine = true;
                }

                continue;
            }

            inAgents = false;
            bool allow = key.Equals("allow", StringComparison.OrdinalIgnoreCase);
            bool disallow = key.Equals("disallow", StringComparison.OrdinalIgnoreCase);
            if ((allow || disallow) && !value.IsEmpty)
            {
                var rule = new Rule(value.ToString(), allow);
                if (groupIsMine)
                {
                    mine.Add(rule);
                }

                if (groupIsStar)
                {
                    star.Add(rule);
                }
            }
            else if (key.Equals("crawl-delay", StringComparison.OrdinalIgnoreCase) && double.TryParse(value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var seconds) && seconds >= 0)
            {
                var delay = TimeSpan.FromSeconds(Math.Min(seconds, 60));
                if (groupIsMine)
                {
                    myDelay = delay;
                }

                if (groupIsStar)
                {
                    starDelay = delay;
                }
            }
        }

        return foundMine ? new RobotsTxt([.. mine], myDelay) : new RobotsTxt([.. star], starDelay);
    }

    public bool IsAllowed(Uri url)
    {
        var path = url.PathAndQuery;
        if (path.Equals("/robots.txt", StringComparison.Ordinal))
        {
            return true;
        }

        int bestLength = -1;
        bool allowed = true;
        foreach (var rule in _rules)
        {
            if (Matches(rule.Pattern, path) && (rule.Pattern.Length > bestLength || (rule.Pattern.Length == bestLength && rule.Allow)))
            {
                bestLength = rule.Pattern.Length;
                allowed = rule.Allow;
            }
        }

        return allowed;
    }

    private static bool MatchesToken(ReadOnlySpan<char> agent, string token)
    {
        // "PriceIntelBot/1.0" and "priceintelbot" both name us; match the leading product token.
        int end = 0;
        while (end < agent.Length && (char.IsAsciiLetterOrDigit(agent[end]) || agent[end] is '-' or '_'))
        {
            end++;
        }

        return agent[..end].Equals(token, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Pattern match with '*' and a trailing '$', iteratively (no backtracking blow-up).</summary>
    internal static bool Matches(string pattern, string path)
    {
        bool anchored = pattern.EndsWith('$');
        var p = anchored ? pattern.AsSpan(0, pattern.Length - 1) : pattern.AsSpan();
        int pi = 0;
        int si = 0;
        int star = -1;
        int mark = 0;
        while (si < path.Length)
        {
            if (pi < p.Length && p[pi] == '*')
            {
                star = pi++;
                mark = si;
            }
            else if (pi < p.Length && p[pi] == path[si])
            {
                pi++;
                si++;
            }
            else if (pi == p.Length && !anchored)
            {
                return true; // a prefix match is enough
            }
            else if (star >= 0)
            {
                pi = star + 1;
                si = ++mark;
            }
            else
            {
                return false;
            }
        }

        while (pi < p.Length && p[pi] == '*')
        {
            pi++;
        }

        return pi == p.Length;
    }
}
