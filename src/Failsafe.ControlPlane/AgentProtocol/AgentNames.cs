namespace Failsafe.ControlPlane.AgentProtocol;

/// <summary>Agent names are host names people type on the command line: lowercase letters, digits, '-', '.' and '_'.</summary>
internal static class AgentNames
{
    public const string Rule = "An agent name is 1 to 63 characters: lowercase letters, digits, '-', '_' and '.', starting with a letter or digit.";

    public static bool IsValid(string? name) =>
        name is { Length: > 0 and <= 63 }
        && (char.IsAsciiLetterLower(name[0]) || char.IsAsciiDigit(name[0]))
        && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '.' or '_');
}
