using Failsafe.Config.Validation;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Failsafe.Config.Yaml;

/// <summary>Reads a file into <see cref="YamlItem"/>s from YamlDotNet's parser events, keeping every node's position.</summary>
internal static class YamlReader
{
    private const string SyntaxField = "syntax";

    /// <summary>The file's single document; null when it is empty or not valid YAML (reported).</summary>
    public static YamlItem? Read(string text, FileReport report)
    {
        try
        {
            var parser = new Parser(new StringReader(text));
            parser.Consume<StreamStart>();
            if (parser.Accept<StreamEnd>(out _))
            {
                return null;
            }

            var documentStart = parser.Consume<DocumentStart>();
            var anchors = new Dictionary<string, YamlItem>(StringComparer.Ordinal);
            var lines = text.Split('\n');
            var root = ReadItem(parser, anchors, lines, report);
            parser.Consume<DocumentEnd>();
            if (parser.Accept<DocumentStart>(out var second))
            {
                report.Add(At(second.Start), SyntaxField, "the file holds more than one YAML document ('---'): put each in its own file");
            }

            return root is YamlText { IsNull: true } ? null : root ?? new YamlText(At(documentStart.Start), "", true, true);
        }
        catch (YamlException e)
        {
            report.Add(At(e.Start), SyntaxField, SyntaxMessage(e));
            return null;
        }
    }

    private static YamlItem ReadItem(IParser parser, Dictionary<string, YamlItem> anchors, string[] lines, FileReport report)
    {
        if (parser.TryConsume<AnchorAlias>(out var alias))
        {
            if (anchors.TryGetValue(alias.Value.Value, out var target))
            {
                return target;
            }

            throw new YamlException(alias.Start, alias.End, $"the alias *{alias.Value} names no anchor written before it");
        }

        YamlItem item;
        AnchorName anchor;
        if (parser.TryConsume<Scalar>(out var scalar))
        {
            var plain = scalar.Style == ScalarStyle.Plain;
            var isNull = plain && scalar.Value is "" or "~" or "null" or "Null" or "NULL";
            item = new YamlText(At(scalar.Start), scalar.Value, isNull, plain, plain ? CommentAfter(lines, scalar.End) : null);
            anchor = scalar.Anchor;
        }
        else if (parser.TryConsume<SequenceStart>(out var sequenceStart))
        {
            var items = new List<YamlItem>();
            while (!parser.TryConsume<SequenceEnd>(out _))
            {
                items.Add(ReadItem(parser, anchors, lines, report));
            }

            item = new YamlList(At(sequenceStart.Start), items);
            anchor = sequenceStart.Anchor;
        }
        else
        {
            var mappingStart = parser.Consume<MappingStart>();
            var entries = new List<YamlEntry>();
            var seen = new Dictionary<string, Position>(StringComparer.Ordinal);
            while (!parser.TryConsume<MappingEnd>(out _))
            {
                var key = ReadItem(parser, anchors, lines, report);
                var value = ReadItem(parser, anchors, lines, report);
                if (key is not YamlText text)
                {
                    report.Add(key.At, SyntaxField, "a key must be a name, not a list or a mapping");
                }
                else if (seen.TryGetValue(text.Value, out var first))
                {
                    report.Add(key.At, SyntaxField, $"key '{text.Value}' is written twice in one mapping (first at line {first.Line})");
                }
                else
                {
                    seen.Add(text.Value, text.At);
                    entries.Add(new YamlEntry(text, value));
                }
            }

            item = new YamlMapping(At(mappingStart.Start), entries);
            anchor = mappingStart.Anchor;
        }

        if (!anchor.IsEmpty)
        {
            anchors[anchor.Value] = item;
        }

        return item;
    }

    private static string? CommentAfter(string[] lines, Mark end)
    {
        if (end.Line < 1 || end.Line > lines.Length)
        {
            return null;
        }

        var line = lines[end.Line - 1];
        var rest = end.Column - 1 < line.Length ? line[(int)(end.Column - 1)..] : "";
        var trimmed = rest.TrimStart();
        return trimmed.StartsWith('#') && trimmed.Length < rest.Length ? trimmed.TrimEnd('\r') : null;
    }

    private static Position At(Mark mark) => new((int)mark.Line, (int)mark.Column);

    // YamlDotNet's messages start with its own "(Line: 3, Col: 5, Idx: ...) - (...):" prefix; the position is ours to give.
    private static string SyntaxMessage(YamlException e)
    {
        var message = e.Message;
        var cut = message.IndexOf("): ", StringComparison.Ordinal);
        if (message.StartsWith('(') && cut >= 0)
        {
            message = message[(cut + 3)..];
        }

        message = message.Trim().TrimEnd('.');
        return message.Length == 0 ? "not valid YAML" : $"not valid YAML: {char.ToLowerInvariant(message[0])}{message[1..]}";
    }
}
