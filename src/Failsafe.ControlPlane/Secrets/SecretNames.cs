using Failsafe.ControlPlane.Api;

namespace Failsafe.ControlPlane.Secrets;

/// <summary>The rules for secrets' names, environments and values; each broken rule is one sentence for the caller.</summary>
internal static class SecretNames
{
    public const int MaxNameLength = 128;
    public const int MaxValueBytes = 64 * 1024;

    public static bool IsValidName(string? name) =>
        name is { Length: > 0 and <= MaxNameLength }
        && (char.IsAsciiLetterLower(name[0]) || char.IsAsciiDigit(name[0]))
        && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '_' or '.');

    public static void ValidateName(string? name)
    {
        if (!IsValidName(name))
        {
            throw ApiProblemException.BadRequest(
                $"A secret name is 1 to {MaxNameLength} lowercase letters, digits, '-', '_' and '.', starting with a letter or digit (e.g. db-password).");
        }
    }

    public static void ValidateEnvironment(string? environment) => EnvironmentNames.Validate(environment);

    /// <summary>Never names the value: the sentence goes back to the caller and into logs.</summary>
    public static void ValidateValue(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            throw ApiProblemException.BadRequest("A secret's value must not be empty.");
        }

        if (System.Text.Encoding.UTF8.GetByteCount(value) > MaxValueBytes)
        {
            throw ApiProblemException.BadRequest($"A secret's value is at most {MaxValueBytes / 1024} KiB.");
        }
    }
}
