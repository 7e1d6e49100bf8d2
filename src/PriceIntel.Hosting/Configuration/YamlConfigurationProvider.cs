using System.Globalization;
using System.Runtime.ExceptionServices;
using Microsoft.Extensions.Configuration;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace PriceIntel.Hosting.Configuration;

/// <summary>A YAML file as a configuration source; keys are normalised so snake_case binds to PascalCase options.</summary>
internal sealed class YamlConfigurationSource : FileConfigurationSource
{
    public override IConfigurationProvider Build(IConfigurationBuilder builder)
    {
        EnsureDefaults(builder);
        return new YamlConfigurationProvider(this);
    }
}

/// <summary>
/// Flattens a YAML document into configuration keys (<c>pricing:min_margin</c> → <c>pricing:MinMargin</c>,
/// sequences become <c>:0</c>, <c>:1</c>, …). Underscores and hyphens are dropped and the next letter
/// upper-cased, so the snake_case file binds to the options classes; PascalCase keys pass through unchanged.
/// </summary>
/// <remarks>
/// The document is read from YamlDotNet's event stream (its parser keeps an explicit state stack, so no input
/// can exhaust the call stack) into a small tree of our own, with these bounds: nesting at most
/// <see cref="MaxDepth"/> levels, counted through aliases and merges; at most <see cref="MaxValues"/> nodes once
/// aliases and merges are expanded, and at most <see cref="MaxWork"/> steps to build and expand them (so a
/// "billion laughs" document fails fast); an alias must refer to a node that is complete, so a node that
/// includes itself (<c>a: &amp;x</c> / <c>&lt;&lt;: *x</c>) is an error, not an endless expansion. Merge keys
/// (<c>&lt;&lt;: *anchor</c> or <c>&lt;&lt;: [*a, *b]</c>) copy the entries a mapping does not set itself (earlier
/// sources win). Every problem is a <see cref="FormatException"/> naming the file and line.
/// </remarks>
internal sealed class YamlConfigurationProvider(YamlConfigurationSource source) : FileConfigurationProvider(source)
{
    /// <summary>Deepest nesting of mappings and sequences accepted, through aliases and merges.</summary>
    public const int MaxDepth = 64;

    /// <summary>Most nodes a document may expand to (aliases and merges counted at every use).</summary>
    public const int MaxValues = 100_000;

    /// <summary>Most steps reading and expanding a document may take (events plus entries copied by merges).</summary>
    public const int MaxWork = 1_000_000;

    /// <summary>Loads the file; a malformed file throws <see cref="FormatException"/> itself rather than wrapped.</summary>
    public override void Load()
    {
        try
        {
            base.Load();
        }
        catch (InvalidDataException ex) when (ex.InnerException is FormatException format)
        {
            // FileConfigurationProvider wraps whatever Load(Stream) throws; the documented contract is FormatException.
            ExceptionDispatchInfo.Capture(format).Throw();
        }
    }

    public override void Load(Stream stream)
    {
        var file = Source.FileProvider?.GetFileInfo(Source.Path ?? string.Empty).PhysicalPath ?? Source.Path ?? "(stream)";
        using var reader = new StreamReader(stream);
        Data = Read(reader, file);
    }

    /// <summary>Reads a YAML document into configuration keys and values.</summary>
    /// <exception cref="FormatException">The text is not valid YAML, or breaks a bound; the message names the file and line.</exception>
    internal static Dictionary<string, string?> Read(TextReader text, string file)
    {
        var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        var root = new DocumentReader(file).Read(text);
        switch (root)
        {
            case null:
                break;
            case MappingNode mapping:
                Flatten(mapping, prefix: null, data);
                break;
            case ScalarNode { Value: null or "" }:
                break; // an empty document
            default:
                throw Error(file, root.Line, "the top level of a configuration file must be a mapping of section names");
        }

        return data;
    }

    internal static string NormaliseKey(string key)
    {
        if (!key.Contains('_', StringComparison.Ordinal) && !key.Contains('-', StringComparison.Ordinal))
        {
            return key;
        }

        int separators = key.AsSpan().Count('_') + key.AsSpan().Count('-');
        return string.Create(key.Length - separators, key, static (buffer, key) =>
        {
            int length = 0;
            bool upper = true;
            foreach (var c in key)
            {
                if (c is '_' or '-')
                {
                    upper = true;
                    continue;
                }

                buffer[length++] = upper ? char.ToUpperInvariant(c) : c;
                upper = false;
            }
        });
    }

    private static FormatException Error(string file, long line, string problem) =>
        new($"YAML configuration file '{file}' line {line}: {problem}.");

    private static void Flatten(Node node, string? prefix, Dictionary<string, string?> data)
    {
        switch (node)
        {
            case MappingNode mapping:
                foreach (var (key, value) in mapping.Resolved)
                {
                    Flatten(value, prefix is null ? key : ConfigurationPath.Combine(prefix, key), data);
                }

                break;
            case SequenceNode sequence:
                for (int i = 0; i < sequence.Items.Count; i++)
                {
                    Flatten(sequence.Items[i], ConfigurationPath.Combine(prefix ?? string.Empty, i.ToString(CultureInfo.InvariantCulture)), data);
                }

                break;
            case ScalarNode scalar when prefix is not null:
                data[prefix] = scalar.Value;
                break;
        }
    }

    private abstract class Node(long line)
    {
        public long Line { get; } = line;

        /// <summary>Nodes this one expands to, itself included.</summary>
        public long Size { get; set; } = 1;

        /// <summary>Mappings and sequences nested in and including this node, once expanded (0 for a scalar).</summary>
        public int Depth { get; set; }

        /// <summary>Whether the node is still being read (an alias to it would be a cycle).</summary>
        public bool Open { get; set; }
    }

    private sealed class ScalarNode(long line, string? value) : Node(line)
    {
        public string? Value { get; } = value;
    }

    private sealed class SequenceNode(long line) : Node(line)
    {
        public List<Node> Items { get; } = [];
    }

    private sealed class MappingNode(long line) : Node(line)
    {
        /// <summary>Entries in document order, keys normalised; merged entries follow the mapping's own.</summary>
        public List<KeyValuePair<string, Node>> Resolved { get; } = [];

        public HashSet<string> Keys { get; } = new(StringComparer.OrdinalIgnoreCase);

        public List<(Node Source, long Line)> Merges { get; } = [];

        /// <summary>The key read, waiting for its value.</summary>
        public (string Key, long Line, bool IsMerge)? PendingKey { get; set; }
    }

    /// <summary>Builds the tree of the first document from parser events, checking every bound as it goes.</summary>
    private sealed class DocumentReader(string file)
    {
        private readonly Dictionary<string, Node> _anchors = new(StringComparer.Ordinal);
        private readonly Stack<Node> _open = new();
        private long _work;

        public Node? Read(TextReader text)
        {
            var parser = new Parser(text);
            Node? root = null;
            try
            {
                while (parser.MoveNext())
                {
                    var e = parser.Current!;
                    if (++_work > MaxWork)
                    {
                        throw Error(file, e.Start.Line, $"the document takes more than {MaxWork:N0} steps to read");
                    }

                    switch (e)
                    {
                        case DocumentEnd:
                            // Only the first document is configuration; the parser still checks the rest's syntax.
                            while (parser.MoveNext())
                            {
                            }

                            return root;
                        case Scalar scalar:
                            Add(Anchor(scalar.Anchor, new ScalarNode(e.Start.Line, IsNull(scalar) ? null : scalar.Value)), scalar, ref root);
                            break;
                        case AnchorAlias alias:
                            Add(Alias(alias), alias, ref root);
                            break;
                        case MappingStart start:
                            Open(Anchor(start.Anchor, new MappingNode(e.Start.Line)), start, ref root);
                            break;
                        case SequenceStart start:
                            Open(Anchor(start.Anchor, new SequenceNode(e.Start.Line)), start, ref root);
                            break;
                        case MappingEnd or SequenceEnd:
                            Close(_open.Pop());
                            break;
                    }
                }
            }
            catch (YamlException ex)
            {
                throw new FormatException($"YAML configuration file '{file}' line {ex.Start.Line}, column {ex.Start.Column} is malformed: {ex.Message}", ex);
            }
            catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or IndexOutOfRangeException)
            {
                // YamlDotNet's scanner throws these on some damaged text (an invalid state, a bad surrogate escape;
                // found by the fuzzer): still malformed YAML.
                throw new FormatException($"YAML configuration file '{file}' is malformed: the parser stopped ({ex.Message})", ex);
            }

            return root;
        }

        private static bool IsNull(Scalar scalar) =>
            scalar.Style == ScalarStyle.Plain && scalar.Value is "~" or "null" or "Null" or "NULL";

        private Node Anchor(AnchorName anchor, Node node)
        {
            if (!anchor.IsEmpty)
            {
                _anchors[anchor.Value] = node; // a later anchor of the same name replaces the earlier one (YAML 1.2)
            }

            return node;
        }

        private Node Alias(AnchorAlias alias)
        {
            if (!_anchors.TryGetValue(alias.Value.Value, out var node))
            {
                throw Error(file, alias.Start.Line, $"alias '*{alias.Value.Value}' refers to no anchor before it");
            }

            if (node.Open)
            {
                throw Error(file, alias.Start.Line, $"alias '*{alias.Value.Value}' refers to a node that contains it (a cycle)");
            }

            return node;
        }

        private void Open(Node node, ParsingEvent e, ref Node? root)
        {
            if (_open.Count >= MaxDepth)
            {
                throw Error(file, e.Start.Line, $"mappings and sequences are nested more than {MaxDepth} levels deep");
            }

            // Attach first (checks it may stand where it is), then read its children.
            Add(node, e, ref root);
            node.Open = true;
            _open.Push(node);
        }

        private void Close(Node node)
        {
            node.Open = false;
            if (node is MappingNode mapping)
            {
                if (mapping.PendingKey is { } pending)
                {
                    throw Error(file, pending.Line, $"key '{pending.Key}' has no value");
                }

                foreach (var (source, line) in mapping.Merges)
                {
                    Merge(mapping, source, line);
                }
            }

            long size = 1;
            int depth = 0;
            foreach (var child in Children(node))
            {
                size += child.Size;
                depth = Math.Max(depth, child.Depth);
            }

            node.Size = size;
            node.Depth = depth + 1;
            if (node.Depth > MaxDepth)
            {
                throw Error(file, node.Line, $"mappings and sequences are nested more than {MaxDepth} levels deep once aliases are expanded");
            }

            if (size > MaxValues)
            {
                throw Error(file, node.Line, $"the node expands to more than {MaxValues:N0} values once aliases are expanded");
            }
        }

        private static IEnumerable<Node> Children(Node node) => node switch
        {
            MappingNode m => m.Resolved.Select(static kv => kv.Value),
            SequenceNode s => s.Items,
            _ => [],
        };

        private void Merge(MappingNode target, Node source, long line)
        {
            if (source is SequenceNode list)
            {
                foreach (var item in list.Items)
                {
                    if (item is not MappingNode)
                    {
                        throw Error(file, line, "a merge key ('<<') takes a mapping or a sequence of mappings");
                    }

                    Merge(target, item, line);
                }

                return;
            }

            if (source is not MappingNode from)
            {
                throw Error(file, line, "a merge key ('<<') takes a mapping or a sequence of mappings");
            }

            foreach (var entry in from.Resolved)
            {
                if (++_work > MaxWork)
                {
                    throw Error(file, line, $"the document takes more than {MaxWork:N0} steps to expand its merge keys");
                }

                if (target.Keys.Add(entry.Key))
                {
                    target.Resolved.Add(entry);
                }
            }
        }

        /// <summary>Puts a complete or newly opened node where the document is: root, mapping key or value, sequence item.</summary>
        private void Add(Node node, ParsingEvent e, ref Node? root)
        {
            if (_open.Count == 0)
            {
                root = node;
                return;
            }

            switch (_open.Peek())
            {
                case SequenceNode sequence:
                    sequence.Items.Add(node);
                    break;
                case MappingNode mapping when mapping.PendingKey is null:
                    if (node is not ScalarNode { Value: { } key })
                    {
                        throw Error(file, e.Start.Line, "a mapping key must be a plain, non-empty value");
                    }

                    bool isMerge = key == "<<" && e is Scalar { Style: ScalarStyle.Plain };
                    mapping.PendingKey = (isMerge ? key : NormaliseKey(key), e.Start.Line, isMerge);
                    break;
                case MappingNode { PendingKey: { } pending } mapping:
                    var (name, line, merge) = pending;
                    mapping.PendingKey = null;
                    if (merge)
                    {
                        AddMerge(mapping, node, line);
                    }
                    else if (!mapping.Keys.Add(name))
                    {
                        throw Error(file, line, $"key '{name}' appears twice in the same mapping");
                    }
                    else
                    {
                        mapping.Resolved.Add(new(name, node));
                    }

                    break;
            }
        }

        private void AddMerge(MappingNode mapping, Node node, long line)
        {
            switch (node)
            {
                case MappingNode:
                    mapping.Merges.Add((node, line));
                    break;
                case SequenceNode:
                    // Its items arrive later, while it is open; they are merged when the mapping closes.
                    mapping.Merges.Add((node, line));
                    break;
                default:
                    throw Error(file, line, "a merge key ('<<') takes a mapping or a sequence of mappings");
            }
        }
    }
}
