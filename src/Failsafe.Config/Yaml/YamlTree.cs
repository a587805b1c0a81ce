namespace Failsafe.Config.Yaml;

/// <summary>A place in a file, 1-based.</summary>
internal readonly record struct Position(int Line, int Column)
{
    public override string ToString() => $"{Line}:{Column}";
}

/// <summary>A YAML node that remembers where it was written (YamlDotNet's object model would lose this on deserialization).</summary>
internal abstract record YamlItem(Position At);

/// <param name="IsNull">Written as nothing, <c>~</c> or <c>null</c> without quotes.</param>
/// <param name="IsPlain">Written without quotes: only then is <c>30</c> a number rather than text.</param>
/// <param name="CommentAfter">A comment on the same line right after it ("# ..."), which YAML drops from the value.</param>
internal sealed record YamlText(Position At, string Value, bool IsNull, bool IsPlain, string? CommentAfter = null) : YamlItem(At);

internal sealed record YamlList(Position At, IReadOnlyList<YamlItem> Items) : YamlItem(At);

internal sealed record YamlEntry(YamlText Key, YamlItem Value);

internal sealed record YamlMapping(Position At, IReadOnlyList<YamlEntry> Entries) : YamlItem(At);
