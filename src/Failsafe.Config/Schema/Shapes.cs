namespace Failsafe.Config.Schema;

/// <summary>
/// The descriptor of what may be written at one place of a config file. The loader's walk and the JSON Schema
/// generator both read these, so the editor's help and the validator cannot disagree.
/// </summary>
internal abstract record Shape
{
    /// <summary>What a value must be, for "must be X, not Y": "a number", "a list".</summary>
    public abstract string Expected { get; }
}

internal enum ScalarKind
{
    /// <summary>A string; a number or bool written plain is read as its text.</summary>
    Text,

    /// <summary>A whole number.</summary>
    Integer,

    /// <summary>A whole number of seconds written with units: 90s, 2m, 1h30m, 5000ms.</summary>
    Duration,

    /// <summary>A number with '%': 5%, 0.5%.</summary>
    Percentage,

    /// <summary>A variable's value: string, number or bool, kept as written.</summary>
    Value,
}

/// <param name="Min">Least value: for durations in seconds, for percentages in percent.</param>
/// <param name="Max">Greatest value, same units.</param>
internal sealed record ScalarShape(ScalarKind Kind, double? Min = null, double? Max = null) : Shape
{
    /// <summary>The bounds themselves are not allowed (a false-alarm rate of 0% or 50%).</summary>
    public bool Exclusive { get; init; }

    /// <summary>A percentage must be a whole number (a traffic weight).</summary>
    public bool Whole { get; init; }

    /// <summary>The text must be a name of this kind.</summary>
    public NameRule? Name { get; init; }

    /// <summary>The text must start with this (a URL path's '/').</summary>
    public string? StartsWith { get; init; }

    /// <summary>The text must be an absolute http or https URL.</summary>
    public bool HttpUrl { get; init; }

    public override string Expected => Kind switch
    {
        ScalarKind.Integer => "a number",
        ScalarKind.Duration => "a duration (e.g. 30s)",
        ScalarKind.Percentage => "a percentage (e.g. 5%)",
        ScalarKind.Value => "a value",
        _ => "text",
    };
}

internal sealed record ListShape(Shape Item) : Shape
{
    public bool NonEmpty { get; init; }

    /// <summary>The same item twice is a mistake (a set written as a list).</summary>
    public bool Unique { get; init; }

    public override string Expected => "a list";
}

/// <summary>A mapping from names the user chooses to values of one shape.</summary>
internal sealed record MapShape(NameRule Key, Shape Value, string ValueDoc) : Shape
{
    public override string Expected => "a mapping";
}

/// <param name="Required">Must be written.</param>
/// <param name="Default">What applies when it is not (for the docs and the schema's "default").</param>
internal sealed record Field(string Key, Shape Shape, string Doc, bool Required = false, object? Default = null);

/// <summary>A mapping with known keys; any other key is a mistake.</summary>
internal sealed record ObjectShape(IReadOnlyList<Field> Fields) : Shape
{
    public override string Expected => "a mapping";

    public Field? Find(string key) => Fields.FirstOrDefault(f => f.Key == key);
}

/// <summary>One of several shapes, told apart by what was written: text, a list or a mapping.</summary>
internal sealed record ChoiceShape(IReadOnlyList<Shape> Choices) : Shape
{
    public override string Expected => string.Join(" or ", Choices.Select(c => c.Expected));
}
