namespace Failsafe.Artifacts;

/// <summary>
/// Checks everything a manifest claims before a single byte is extracted: the extractor then
/// only has to compare each tar entry with its manifest entry.
/// </summary>
internal static class ManifestValidator
{
    private const int MaxCommandLength = 4096;

    public static void Validate(ReleaseManifest m)
    {
        if (m.FormatVersion != ReleaseManifest.CurrentFormatVersion)
        {
            throw Field("formatVersion", $"is {m.FormatVersion}, but this Failsafe reads format {ReleaseManifest.CurrentFormatVersion}");
        }

        ServiceName.Validate(m.Service);
        ReleaseVersion.Validate(m.Version);
        ValidateCommand("entryCommand", m.EntryCommand);
        ValidateHealthCheck(m.HealthCheck);
        ValidateHooks(m.Hooks);
        ValidateEntries(m);
    }

    private static void ValidateCommand(string field, string? command)
    {
        if (string.IsNullOrWhiteSpace(command) || command.Length > MaxCommandLength || command.Contains('\0', StringComparison.Ordinal))
        {
            throw Field(field, $"must be a command line of 1 to {MaxCommandLength} characters");
        }
    }

    private static void ValidateHealthCheck(HealthCheckSpec? check)
    {
        if (check is null || string.IsNullOrEmpty(check.Path) || check.Path[0] != '/' || check.Path.Any(char.IsControl))
        {
            throw Field("healthCheck.path", "must be an HTTP path starting with '/' (e.g. /healthz)");
        }

        if (check.TimeoutSeconds <= 0)
        {
            throw Field("healthCheck.timeoutSeconds", "must be a positive number of seconds");
        }
    }

    private static void ValidateHooks(IReadOnlyList<HookSpec>? hooks)
    {
        if (hooks is null)
        {
            throw Field("hooks", "is missing (use [] for none)");
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var hook in hooks)
        {
            if (hook is null || !HookNames.All.Contains(hook.Name))
            {
                throw Field("hooks", $"has hook '{hook?.Name}', which is not one of: {string.Join(", ", HookNames.All)}");
            }

            if (!names.Add(hook.Name))
            {
                throw Field("hooks", $"has hook '{hook.Name}' twice");
            }

            ValidateCommand($"hooks.{hook.Name}.command", hook.Command);
            if (hook.TimeoutSeconds <= 0)
            {
                throw Field($"hooks.{hook.Name}.timeoutSeconds", "must be a positive number of seconds");
            }
        }
    }

    private static void ValidateEntries(ReleaseManifest m)
    {
        if (m.Files is null)
        {
            throw Field("files", "is missing");
        }

        if (m.EntryCount != m.Files.Count)
        {
            throw Field("entryCount", $"is {m.EntryCount} but 'files' lists {m.Files.Count} entries");
        }

        var kinds = new Dictionary<string, string>(StringComparer.Ordinal);
        string? previous = null;
        long total = 0;
        foreach (var entry in m.Files)
        {
            if (entry is null)
            {
                throw Field("files", "contains null");
            }

            ValidateEntry(entry, kinds);
            if (previous is not null && string.CompareOrdinal(previous, entry.Path) >= 0)
            {
                throw Entry(entry.Path, $"it is listed after '{previous}' (paths must be unique and in ordinal order)");
            }

            previous = entry.Path;
            kinds[entry.Path] = entry.Type;
            if (entry.Size > long.MaxValue - total)
            {
                throw Field("totalSize", "overflows: the files add up to more than 2^63 bytes");
            }

            total += entry.Size;
        }

        if (m.TotalSize != total)
        {
            throw Field("totalSize", $"is {m.TotalSize} but the files add up to {total} bytes");
        }
    }

    private static void ValidateEntry(ManifestEntry e, Dictionary<string, string> kinds)
    {
        var problem = EntryPathRules.ProblemWithRelativePath(e.Path ?? "") ?? EntryPathRules.ProblemWithReservedName(e.Path!);
        if (problem is not null)
        {
            throw Entry(e.Path ?? "", problem);
        }

        var parent = EntryPathRules.ParentOf(e.Path!);
        if (parent.Length > 0 && (!kinds.TryGetValue(parent, out var parentType) || parentType != EntryTypes.Directory))
        {
            throw Entry(e.Path!, parentType == EntryTypes.Symlink
                ? $"its parent '{parent}' is a symlink, and nothing may be written through a symlink"
                : $"its parent '{parent}' is not listed before it as a directory");
        }

        if (!ModeText.IsValid(e.Mode))
        {
            throw Entry(e.Path!, $"its mode '{e.Mode}' is not four octal digits of permission bits (e.g. 0644)");
        }

        if (e.Size < 0 || (e.Type != EntryTypes.File && e.Size != 0))
        {
            throw Entry(e.Path!, $"its size {e.Size} is not valid for a {e.Type}");
        }

        var isFile = e.Type == EntryTypes.File;
        if (isFile != (e.Sha256 is { Length: 64 } && e.Sha256.All(char.IsAsciiHexDigitLower)))
        {
            throw Entry(e.Path!, isFile ? "it needs a SHA-256 (64 lowercase hex characters)" : "only files have a SHA-256");
        }

        if (e.Type == EntryTypes.Symlink)
        {
            problem = EntryPathRules.ProblemWithLinkTarget(e.Path!, e.LinkTarget);
            if (problem is not null)
            {
                throw Entry(e.Path!, problem);
            }
        }
        else if (e.Type is not (EntryTypes.File or EntryTypes.Directory))
        {
            throw Entry(e.Path!, $"its type '{e.Type}' is not one of file, dir, symlink");
        }
        else if (e.LinkTarget is not null)
        {
            throw Entry(e.Path!, "only symlinks have a link target");
        }
    }

    private static ArtifactException Field(string field, string problem) =>
        new($"Manifest field '{field}' {problem}.");

    private static ArtifactException Entry(string path, string problem) =>
        new($"Manifest entry '{path}' is refused: {problem}.");
}
