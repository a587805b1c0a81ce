using System.Diagnostics.CodeAnalysis;

namespace Failsafe.Artifacts;

/// <summary>
/// A release version is part of a directory name on every host, so it is kept to characters
/// that are safe in a path and in a shell: letters, digits and <c>. - + _</c>.
/// </summary>
public static class ReleaseVersion
{
    public const int MaxLength = 128;

    public static bool IsValid([NotNullWhen(true)] string? version) =>
        version is { Length: > 0 and <= MaxLength }
        && version[0] is not ('.' or '-')
        && version.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '+' or '_');

    public static void Validate([NotNull] string? version)
    {
        if (!IsValid(version))
        {
            throw new ArtifactException(
                $"Version '{version}' is not valid: use letters, digits and . - + _ (semver recommended, e.g. 1.4.2).");
        }
    }
}
