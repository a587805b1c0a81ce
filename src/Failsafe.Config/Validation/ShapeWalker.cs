using Failsafe.Config.Schema;
using Failsafe.Config.Yaml;
using Failsafe.Contracts;

namespace Failsafe.Config.Validation;

/// <summary>
/// Checks a YAML tree against its <see cref="Shape"/>, reporting every mistake and keeping what is right, so that one
/// run finds them all. Returns null for a value that was wrong (already reported).
/// </summary>
internal sealed class ShapeWalker(FileReport report)
{
    public Node? Walk(YamlItem item, Shape shape, string field) => shape switch
    {
        ScalarShape scalar => WalkScalar(item, scalar, field),
        ListShape list => WalkList(item, list, field),
        MapShape map => WalkMap(item, map, field),
        ObjectShape obj => WalkObject(item, obj, field),
        ChoiceShape choice => WalkChoice(item, choice, field),
        _ => throw new InvalidOperationException($"Unknown shape {shape.GetType().Name}."),
    };

    private static string Child(string field, string key) => field.Length == 0 ? key : $"{field}.{key}";

    private static string Describe(YamlItem item) => item switch
    {
        YamlText { IsNull: true } => "empty",
        YamlText text => $"'{text.Value}'",
        YamlList => "a list",
        _ => "a mapping",
    };

    private Node? WrongType(YamlItem item, Shape shape, string field)
    {
        report.Add(item.At, field, $"must be {shape.Expected}, not {Describe(item)}");
        return null;
    }

    private Node? WalkChoice(YamlItem item, ChoiceShape choice, string field)
    {
        var chosen = choice.Choices.FirstOrDefault(c => item switch
        {
            YamlText { IsNull: false } => c is ScalarShape,
            YamlList => c is ListShape,
            YamlMapping => c is ObjectShape or MapShape,
            _ => false,
        });
        return chosen is null ? WrongType(item, choice, field) : Walk(item, chosen, field);
    }

    private Node? WalkObject(YamlItem item, ObjectShape shape, string field)
    {
        if (item is not YamlMapping mapping)
        {
            return WrongType(item, shape, field);
        }

        var values = new Dictionary<string, Node>(StringComparer.Ordinal);
        foreach (var (key, value) in mapping.Entries.Select(e => (e.Key, e.Value)))
        {
            var known = shape.Find(key.Value);
            if (known is null)
            {
                report.Add(key.At, Child(field, key.Value), UnknownKey(key.Value, shape));
                continue;
            }

            // An optional key written with nothing after it means "not set", as YAML readers expect.
            if (value is YamlText { IsNull: true } && !known.Required)
            {
                continue;
            }

            if (Walk(value, known.Shape, Child(field, key.Value)) is { } node)
            {
                values[key.Value] = node;
            }
        }

        foreach (var required in shape.Fields.Where(f => f.Required && !mapping.Entries.Any(e => e.Key.Value == f.Key)))
        {
            report.Add(mapping.At, Child(field, required.Key), "is required, but missing");
        }

        return new Node(item.At, field, new ObjectValue(values));
    }

    private static string UnknownKey(string key, ObjectShape shape)
    {
        var keys = shape.Fields.Select(f => f.Key).ToList();
        return Suggestions.Closest(key, keys) is { } close
            ? $"unknown key '{key}': did you mean '{close}'?"
            : $"unknown key '{key}': the keys allowed here are {string.Join(", ", keys)}";
    }

    private Node? WalkMap(YamlItem item, MapShape shape, string field)
    {
        if (item is not YamlMapping mapping)
        {
            return WrongType(item, shape, field);
        }

        var entries = new List<(Node, Node)>();
        foreach (var entry in mapping.Entries)
        {
            var path = Child(field, entry.Key.Value);
            if (!shape.Key.IsValid(entry.Key.Value))
            {
                report.Add(entry.Key.At, path, shape.Key.Problem(entry.Key.Value));
                continue;
            }

            if (Walk(entry.Value, shape.Value, path) is { } value)
            {
                entries.Add((new Node(entry.Key.At, path, entry.Key.Value), value));
            }
        }

        return new Node(item.At, field, new MapValue(entries));
    }

    private Node? WalkList(YamlItem item, ListShape shape, string field)
    {
        if (item is not YamlList list)
        {
            return WrongType(item, shape, field);
        }

        if (shape.NonEmpty && list.Items.Count == 0)
        {
            report.Add(item.At, field, "must list at least one");
            return null;
        }

        var nodes = new List<Node>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < list.Items.Count; i++)
        {
            var path = $"{field}[{i}]";
            if (Walk(list.Items[i], shape.Item, path) is not { } node)
            {
                continue;
            }

            if (shape.Unique && node.Value is string text)
            {
                if (seen.TryGetValue(text, out var first))
                {
                    report.Add(node.At, path, $"'{text}' is listed twice (also at {field}[{first}])");
                    continue;
                }

                seen.Add(text, i);
            }

            nodes.Add(node);
        }

        return new Node(item.At, field, nodes);
    }

    private Node? WalkScalar(YamlItem item, ScalarShape shape, string field)
    {
        if (item is not YamlText { IsNull: false } text)
        {
            return WrongType(item, shape, field);
        }

        object? value;
        var problem = shape.Kind switch
        {
            ScalarKind.Integer => Integer(text.Value, shape, out value),
            ScalarKind.Duration => Duration(text.Value, shape, out value),
            ScalarKind.Percentage => Percentage(text.Value, shape, out value),
            _ => Text(text.Value, shape, out value),
        };
        if (problem is not null)
        {
            report.Add(text.At, field, problem);
            return null;
        }

        // "entry: ./run --level #{LEVEL}" silently loses its placeholder to a YAML comment: say so.
        if (text.CommentAfter is { } comment && VariablePlaceholders.Names(comment).Count > 0 && comment.StartsWith("#{", StringComparison.Ordinal))
        {
            report.Add(text.At, field, $"'{comment}' is a YAML comment, not part of the value ('#' after a space starts one): put the whole value in quotes");
            return null;
        }

        return new Node(text.At, field, value!);
    }

    private static string? Text(string text, ScalarShape shape, out object? value)
    {
        value = text;
        if (shape.Name is { } rule && !rule.IsValid(text))
        {
            return rule.Problem(text);
        }

        if (shape.StartsWith is { } prefix && !text.StartsWith(prefix, StringComparison.Ordinal))
        {
            return $"'{text}' must start with '{prefix}'";
        }

        if (shape.HttpUrl && !(Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"))
        {
            return $"'{text}' is not an http or https URL (e.g. http://127.0.0.1:9090)";
        }

        if (shape.Kind == ScalarKind.Text && text.Length == 0)
        {
            return "must not be empty";
        }

        return null;
    }

    private static string? Integer(string text, ScalarShape shape, out object? value)
    {
        value = null;
        if (!ScalarText.TryInteger(text, out var n))
        {
            return $"must be a whole number, not '{text}'";
        }

        value = n;
        if (n < shape.Min)
        {
            return $"must be at least {shape.Min}, not {n}";
        }

        return n > shape.Max ? $"must be at most {shape.Max}, not {n}" : null;
    }

    private static string? Duration(string text, ScalarShape shape, out object? value)
    {
        value = null;
        if (!ScalarText.TryDuration(text, out var seconds, out var problem))
        {
            return problem;
        }

        value = seconds;
        if (seconds < shape.Min)
        {
            return $"'{text}' is too short: use at least {ScalarText.Duration((int)shape.Min.Value)}";
        }

        return seconds > shape.Max ? $"'{text}' is too long: use at most {ScalarText.Duration((int)shape.Max.Value)}" : null;
    }

    private static string? Percentage(string text, ScalarShape shape, out object? value)
    {
        value = null;
        if (!ScalarText.TryPercent(text, out var percent, out var problem))
        {
            return problem;
        }

        value = percent;
        if (shape.Max <= 100 && percent > 100)
        {
            return $"'{text}' is over 100%";
        }

        if (shape.Whole && percent != Math.Floor(percent))
        {
            return $"'{text}' must be a whole percentage";
        }

        var (min, max) = (shape.Min ?? 0, shape.Max ?? 100);
        if (shape.Exclusive && (percent <= min || percent >= max))
        {
            return $"'{text}' is out of range: use more than {ScalarText.Percent(min)} and less than {ScalarText.Percent(max)}";
        }

        if (percent < min)
        {
            return $"'{text}' is under {ScalarText.Percent(min)}";
        }

        return percent > max ? $"'{text}' is over {ScalarText.Percent(max)}" : null;
    }
}
