using System.CommandLine;
using Failsafe.Artifacts;

namespace Failsafe.Cli;

internal static class PackCommand
{
    public static Command Create()
    {
        var dir = new Argument<string>("DIR") { Description = "The folder holding the release's files." };
        var service = new Option<string?>("--service") { Description = "Service name (lowercase letters, digits, '-'); default: failsafe.yaml's." };
        var version = new Option<string>("--version") { Description = "Release version: letters, digits and . - + _ (semver recommended).", Required = true };
        var output = new Option<string?>("-o", "--output") { Description = "Artifact file to write (default <service>-<version>.fsr)." };
        var entry = new Option<string?>("--entry") { Description = "Command that starts the service, run from the release folder with PORT set; default: failsafe.yaml's run.entry." };
        var health = new Option<string?>("--health-path") { Description = "HTTP path that answers 2xx when an instance is healthy (default /healthz)." };
        var healthTimeout = new Option<int?>("--health-timeout") { Description = "Seconds an instance has to become healthy (default 30)." };
        var preActivate = new Option<string?>("--pre-activate") { Description = "Hook command run in the new release folder before it starts (migrations, checks)." };
        var hookTimeout = new Option<int>("--hook-timeout") { Description = "Seconds a hook may run.", DefaultValueFactory = _ => 60 };
        var config = new Option<string?>("--config") { Description = "The service's failsafe.yaml (default: DIR/failsafe.yaml, then ./failsafe.yaml, if present): name, entry, health and hooks come from it; options override." };
        var command = new Command("pack", "Pack a folder into one immutable, hashed release artifact.") { dir, service, version, output, entry, health, healthTimeout, preActivate, hookTimeout, config };
        command.SetAction(async (result, ct) =>
        {
            var source = Path.GetFullPath(result.GetValue(dir)!);
            if (!Directory.Exists(source))
            {
                throw new UserException($"Folder '{source}' does not exist.");
            }

            var file = ServiceFile.Find(result.GetValue(config), source);
            var name = result.GetValue(service) ?? file?.Name
                ?? throw new UserException("Name the service: --service NAME, or a failsafe.yaml beside the release (--config PATH).");
            var ver = result.GetValue(version)!;
            ServiceName.Validate(name);
            ReleaseVersion.Validate(ver);
            var hooks = result.GetValue(preActivate) is { Length: > 0 } hook
                ? [new HookSpec(HookNames.PreActivate, hook, result.GetValue(hookTimeout))]
                : file?.Hooks.Select(h => new HookSpec(h.Name, h.Command, h.TimeoutSeconds)).ToArray() ?? [];
            var start = result.GetValue(entry) ?? file?.Run.Entry
                ?? throw new UserException("Say how the service starts: --entry COMMAND, or run.entry in its failsafe.yaml.");
            var healthCheck = new HealthCheckSpec(
                result.GetValue(health) ?? file?.Run.HealthPath ?? "/healthz",
                result.GetValue(healthTimeout) ?? file?.Run.HealthTimeoutSeconds ?? 30);
            var path = Path.GetFullPath(result.GetValue(output) ?? $"{name}-{ver}{ArtifactLayout.FileExtension}");
            var packed = await ArtifactPacker.PackToFileAsync(
                new PackRequest(source, name, ver, start, healthCheck, hooks),
                path,
                ct).ConfigureAwait(false);
            if (file is not null)
            {
                Console.WriteLine($"Read {name}'s failsafe.yaml: entry, health check and hooks.");
            }

            Console.WriteLine($"Packed {name} {ver}: {packed.Manifest.EntryCount} entries, {Sizes.Format(packed.Manifest.TotalSize)} → {path} ({Sizes.Format(packed.Size)})");
            Console.WriteLine($"sha256 {packed.Sha256}");
            return 0;
        });
        return command;
    }
}
