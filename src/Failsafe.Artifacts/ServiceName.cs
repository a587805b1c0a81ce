using System.Diagnostics.CodeAnalysis;

namespace Failsafe.Artifacts;

/// <summary>A service name is a DNS-label-like word: it names directories, units and metrics.</summary>
public static class ServiceName
{
    public const int MaxLength = 63;

    public static bool IsValid([NotNullWhen(true)] string? name) =>
        name is { Length: > 0 and <= MaxLength }
        && char.IsAsciiLetterLower(name[0])
        && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-');

    public static void Validate([NotNull] string? name)
    {
        if (!IsValid(name))
        {
            throw new ArtifactException(
                $"Service name '{name}' is not valid: use 1 to {MaxLength} lowercase letters, digits and '-', starting with a letter (e.g. billing-api).");
        }
    }
}
