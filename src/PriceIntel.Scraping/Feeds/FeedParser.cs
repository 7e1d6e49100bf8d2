using System.Text;
using System.Text.Json;
using System.Xml;

namespace PriceIntel.Scraping;

/// <summary>One item of a feed: its fields by name (case-insensitive) and its raw text for rejection records.</summary>
internal sealed record FeedRow(long Position, Dictionary<string, string> Fields, string Raw)
{
    public string? Get(string? name) => name is not null && Fields.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;
}

/// <summary>Turns a feed body into rows. Whole-document defects throw <see cref="FormatException"/>; the caller reports them per feed.</summary>
internal static class FeedParser
{
    public const int MaxRows = 500_000;
    private const int MaxJsonDepth = 32;

    public static List<FeedRow> Parse(string body, FeedFormat format, FeedFieldMap fields) => format switch
    {
        FeedFormat.Json => ParseJson(body, fields.ItemsPath),
        FeedFormat.Csv => ParseCsv(body),
        _ => ParseXml(body, fields.ItemElement),
    };

    private static List<FeedRow> ParseJson(string body, string itemsPath)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip, MaxDepth = MaxJsonDepth });
        }
        catch (Exception e) when (e is JsonException or ArgumentException)
        {
            throw new FormatException($"the JSON is not valid: {e.Message}", e);
        }

        using (document)
        {
            var items = document.RootElement;
            foreach (var part in itemsPath.Split('.', StringSplitOptions.RemoveEmptyEntries))
            {
                if (items.ValueKind != JsonValueKind.Object || !TryGetIgnoreCase(items, part, out items))
                {
                    throw new FormatException($"the JSON has no '{itemsPath}' (no '{part}')");
                }
            }

            if (items.ValueKind != JsonValueKind.Array)
            {
                throw new FormatException($"'{(itemsPath.Length == 0 ? "the root" : itemsPath)}' is {items.ValueKind}, not an array of items");
            }

            var rows = new List<FeedRow>();
            long position = 0;
            foreach (var item in items.EnumerateArray())
            {
                position++;
                if (rows.Count == MaxRows)
                {
                    break;
                }

                var map = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                if (item.ValueKind == JsonValueKind.Object)
                {
                    Flatten(item, "", map, 0);
                }

                rows.Add(new FeedRow(position, map, item.GetRawText()));
            }

            return rows;
        }
    }

    private static bool TryGetIgnoreCase(JsonElement obj, string name, out JsonElement value)
    {
        foreach (var property in obj.EnumerateObject())
        {
            if (property.NameEquals(name) || string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                value = property.Value;
                return true;
            }
        }

        value = default;
        return false;
    }

    private static void Flatten(JsonElement element, string prefix, Dictionary<string, string> map, int depth)
    {
        if (depth > 8)
        {
            return;
        }

        foreach (var property in element.EnumerateObject())
        {
            string name;
            try
            {
                name = prefix.Length == 0 ? property.Name : prefix + "." + property.Name;
            }
            catch (InvalidOperationException)
            {
                continue; // a name with a lone surrogate
            }

            var value = property.Value;
            switch (value.ValueKind)
            {
                case JsonValueKind.Object:
                    Flatten(value, name, map, depth + 1);
                    break;
                case JsonValueKind.String:
                    map.TryAdd(name, JsonLdReader.SafeString(value) ?? "");
                    break;
                case JsonValueKind.Number:
                    map.TryAdd(name, value.GetRawText());
                    break;
                case JsonValueKind.True or JsonValueKind.False:
                    map.TryAdd(name, value.ValueKind == JsonValueKind.True ? "true" : "false");
                    break;
            }
        }
    }

    private static List<FeedRow> ParseCsv(string body)
    {
        var records = CsvRecords(body, SniffDelimiter(body));
        if (records.Count == 0)
        {
            throw new FormatException("the CSV is empty: no header row");
        }

        var header = records[0].Fields;
        var rows = new List<FeedRow>(records.Count - 1);
        for (int r = 1; r < records.Count && rows.Count < MaxRows; r++)
        {
            var (fields, raw, line) = records[r];
            if (fields.Count == 1 && fields[0].Length == 0)
            {
                continue; // a blank line
            }

            var map = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            for (int c = 0; c < header.Count && c < fields.Count; c++)
            {
                map.TryAdd(header[c].Trim(), fields[c]);
            }

            if (fields.Count != header.Count)
            {
                map["\u0001columns"] = $"{fields.Count} columns where the header has {header.Count}";
            }

            rows.Add(new FeedRow(line, map, raw));
        }

        return rows;
    }

    private static char SniffDelimiter(string body)
    {
        int end = body.IndexOf('\n', StringComparison.Ordinal);
        var first = end < 0 ? body.AsSpan() : body.AsSpan(0, end);
        char best = ',';
        int bestCount = 0;
        foreach (var candidate in (ReadOnlySpan<char>)[',', ';', '\t', '|'])
        {
            int count = first.Count(candidate);
            if (count > bestCount)
            {
                best = candidate;
                bestCount = count;
            }
        }

        return best;
    }

    /// <summary>RFC 4180 records: quoted fields with doubled quotes, delimiters and line breaks inside quotes.</summary>
    private static List<(List<string> Fields, string Raw, long Line)> CsvRecords(string body, char delimiter)
    {
        var records = new List<(List<string>, string, long)>();
        var fields = new List<string>();
        var field = new StringBuilder();
        bool quoted = false;
        int recordStart = body.Length > 0 && body[0] == '\uFEFF' ? 1 : 0;
        int i = recordStart;
        long line = 1;
        long recordLine = 1;
        while (i < body.Length)
        {
            char c = body[i];
            if (quoted)
            {
                if (c == '"')
                {
                    if (i + 1 < body.Length && body[i + 1] == '"')
                    {
                        field.Append('"');
                        i += 2;
                        continue;
                    }

                    quoted = false;
                }
                else
                {
                    line += c == '\n' ? 1 : 0;
                    field.Append(c);
                }

                i++;
                continue;
            }

            if (c == '"' && field.Length == 0)
            {
                quoted = true;
            }
            else if (c == delimiter)
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else if (c is '\n' or '\r')
            {
                fields.Add(field.ToString());
                field.Clear();
                records.Add((fields, body[recordStart..i], recordLine));
                fields = [];
                if (c == '\r' && i + 1 < body.Length && body[i + 1] == '\n')
                {
                    i++;
                }

                line++;
                recordLine = line;
                recordStart = i + 1;
                if (records.Count > MaxRows)
                {
                    return records;
                }
            }
            else
            {
                field.Append(c);
            }

            i++;
        }

        if (field.Length > 0 || fields.Count > 0)
        {
            fields.Add(field.ToString());
            records.Add((fields, body[recordStart..], recordLine));
        }

        return records;
    }

    private static List<FeedRow> ParseXml(string body, string? itemElement)
    {
        var settings = new XmlReaderSettings
        {
            DtdProcessing = DtdProcessing.Prohibit, // no entity expansion, no external resources
            XmlResolver = null,
            MaxCharactersInDocument = 64L * 1024 * 1024,
            IgnoreComments = true,
            IgnoreProcessingInstructions = true,
        };
        var rows = new List<FeedRow>();
        try
        {
            using var reader = XmlReader.Create(new StringReader(body), settings);
            long position = 0;
            while (reader.Read())
            {
                if (reader.NodeType != XmlNodeType.Element || !IsItem(reader.LocalName, itemElement))
                {
                    continue;
                }

                position++;
                var map = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                var raw = new StringBuilder();
                int depth = reader.Depth;
                if (!reader.IsEmptyElement)
                {
                    while (reader.Read() && !(reader.NodeType == XmlNodeType.EndElement && reader.Depth == depth))
                    {
                        if (reader.NodeType == XmlNodeType.Element && reader.Depth == depth + 1)
                        {
                            string name = reader.LocalName;
                            string value = reader.IsEmptyElement ? "" : ReadText(reader);
                            map.TryAdd(name, value);
                            if (raw.Length < RejectedInput.MaxPayloadLength)
                            {
                                raw.Append('<').Append(name).Append('>').Append(value).Append("</").Append(name).Append('>');
                            }
                        }
                    }
                }

                if (rows.Count < MaxRows)
                {
                    rows.Add(new FeedRow(position, map, raw.ToString()));
                }
            }
        }
        catch (XmlException e)
        {
            if (rows.Count == 0)
            {
                throw new FormatException($"the XML is not valid: {e.Message}", e);
            }

            // A truncated or damaged tail: the items read before it are kept; the caller reports the defect.
            rows.Add(new FeedRow(rows[^1].Position + 1, new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["\u0001xml"] = e.Message }, ""));
        }

        return rows;
    }

    private static string ReadText(XmlReader reader)
    {
        // The text of a simple element; nested markup (rare in feeds) is flattened.
        int depth = reader.Depth;
        var text = new StringBuilder();
        while (reader.Read() && !(reader.NodeType == XmlNodeType.EndElement && reader.Depth == depth))
        {
            if (reader.NodeType is XmlNodeType.Text or XmlNodeType.CDATA or XmlNodeType.SignificantWhitespace or XmlNodeType.Whitespace)
            {
                text.Append(reader.Value);
            }
        }

        return text.ToString();
    }

    private static bool IsItem(string localName, string? itemElement) =>
        itemElement is not null ? localName.Equals(itemElement, StringComparison.OrdinalIgnoreCase) : localName is "item" or "entry";
}
