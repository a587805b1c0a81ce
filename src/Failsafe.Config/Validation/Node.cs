using Failsafe.Config.Yaml;

namespace Failsafe.Config.Validation;

/// <summary>
/// A value that passed its shape, with where it was written. <see cref="Value"/> is text (string), a whole number
/// (long), seconds (int), percent (double), <see cref="IReadOnlyList{Node}"/>, <see cref="MapValue"/> or <see cref="ObjectValue"/>.
/// </summary>
internal sealed record Node(Position At, string Field, object Value)
{
    public string Text => (string)Value;

    public IReadOnlyList<Node> Items => (IReadOnlyList<Node>)Value;
}

/// <summary>A mapping of user-chosen names, in the order written; a key that broke its name rule is left out.</summary>
internal sealed record MapValue(IReadOnlyList<(Node Key, Node Value)> Entries);

/// <summary>A mapping with known keys; a field that is absent or was wrong is left out, so readers fall back to defaults.</summary>
internal sealed class ObjectValue(Dictionary<string, Node> fields)
{
    public Node? this[string key] => fields.GetValueOrDefault(key);

    public string? Text(string key) => this[key]?.Text;

    public int? Int(string key) => this[key]?.Value is long n ? (int)n : null;

    public int? Seconds(string key) => this[key]?.Value is int s ? s : null;

    public double? Percent(string key) => this[key]?.Value is double p ? p : null;

    public ObjectValue? Object(string key) => this[key]?.Value as ObjectValue;

    public IReadOnlyList<Node> List(string key) => this[key]?.Value as IReadOnlyList<Node> ?? [];

    public IReadOnlyList<(Node Key, Node Value)> Map(string key) => (this[key]?.Value as MapValue)?.Entries ?? [];
}
