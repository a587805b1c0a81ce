namespace Failsafe.Artifacts;

/// <summary>The wording of extraction errors, kept in one place so every refusal reads the same.</summary>
internal static class ArtifactErrors
{
    public static ArtifactException Refused(string entryName, string reason) =>
        new($"Artifact entry '{entryName}' is refused: {reason}.");

    public static ArtifactException Corrupt(string detail, Exception? inner = null) =>
        inner is null
            ? new($"The artifact is truncated or corrupt: {detail}.")
            : new($"The artifact is truncated or corrupt: {detail}.", inner);
}
