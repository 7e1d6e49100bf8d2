namespace PriceIntel.Scraping;

/// <summary>
/// A linear pre-scan that estimates element nesting and cuts the HTML where it runs far past the
/// parser's depth limit, so a page of a hundred thousand unclosed &lt;div&gt;s costs a scan, not a parse.
/// Elements HTML closes implicitly (p, li, td…) and void elements do not count; script, style and
/// comments are skipped.
/// </summary>
internal static class NestingGuard
{
    public static int FindCut(string html, int maxDepth)
    {
        int depth = 0;
        int i = 0;
        while (true)
        {
            i = html.IndexOf('<', i);
            if (i < 0 || i + 1 >= html.Length)
            {
                return -1;
            }

            char next = html[i + 1];
            if (next == '!')
            {
                int end = html.AsSpan(i).StartsWith("<!--", StringComparison.Ordinal) ? html.IndexOf("-->", i + 4, StringComparison.Ordinal) : html.IndexOf('>', i + 2);
                if (end < 0)
                {
                    return -1;
                }

                i = end + 1;
                continue;
            }

            bool closing = next == '/';
            int nameStart = closing ? i + 2 : i + 1;
            int nameEnd = nameStart;
            while (nameEnd < html.Length && char.IsAsciiLetterOrDigit(html[nameEnd]))
            {
                nameEnd++;
            }

            if (nameEnd == nameStart)
            {
                i++;
                continue;
            }

            var name = html.AsSpan(nameStart, nameEnd - nameStart);
            int close = html.IndexOf('>', nameEnd);
            if (close < 0)
            {
                return -1;
            }

            if (closing)
            {
                if (Counts(name))
                {
                    depth = Math.Max(0, depth - 1);
                }
            }
            else if (name.Equals("script", StringComparison.OrdinalIgnoreCase) || name.Equals("style", StringComparison.OrdinalIgnoreCase))
            {
                int end = html.IndexOf("</", close, StringComparison.Ordinal);
                while (end >= 0 && !html.AsSpan(end + 2).StartsWith(name, StringComparison.OrdinalIgnoreCase))
                {
                    end = html.IndexOf("</", end + 2, StringComparison.Ordinal);
                }

                if (end < 0)
                {
                    return -1;
                }

                i = end;
                continue;
            }
            else if (Counts(name) && html[close - 1] != '/')
            {
                if (++depth > maxDepth)
                {
                    return i;
                }
            }

            i = close + 1;
        }
    }

    private static bool Counts(ReadOnlySpan<char> name)
    {
        foreach (var skip in (ReadOnlySpan<string>)["p", "li", "td", "th", "tr", "dt", "dd", "option", "optgroup", "tbody", "thead", "tfoot", "colgroup", "rt", "rp",
            "br", "img", "hr", "input", "meta", "link", "area", "base", "col", "embed", "source", "track", "wbr", "param", "html", "head", "body"])
        {
            if (name.Equals(skip, StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }
        }

        return true;
    }
}
