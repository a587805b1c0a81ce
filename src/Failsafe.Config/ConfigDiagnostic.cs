namespace Failsafe.Config;

/// <summary>One mistake in a config file.</summary>
/// <param name="File">Path relative to the folder that was loaded ('/' separators), or the file's name when one file was loaded.</param>
/// <param name="Field">The path of the field in the file, e.g. <c>run.health.timeout</c> or <c>lifecycles.default[2]</c>.</param>
public sealed record ConfigDiagnostic(string File, int Line, int Column, string Field, string Message)
{
    public override string ToString() => $"{File}:{Line}:{Column}: {Field}: {Message}";
}
