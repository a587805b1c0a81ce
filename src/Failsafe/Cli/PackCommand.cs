using System.CommandLine;
using Failsafe.Artifacts;

namespace Failsafe.Cli;

internal static class PackCommand
{
    public static Command Create()
    {
        var dir = new Argument<string>("DIR") { Description = "The folder holding the release's files." };
        var service = new Option<string>("--service") { Description = "Service name (lowercase letters, digits, '-').", Required = true };
        var version = new Option<string>("--version") { Description = "Release version: letters, digits and . - + _ (semver recommended).", Required = true };
        var output = new Option<string?>("-o", "--output") { Description = "Artifact file to write (default <service>-<version>.fsr)." };
        var entry = new Option<string>("--entry") { Description = "Command that starts the service, run from the release folder with PORT set.", Required = true };
        var health = new Option<string>("--health-path") { Description = "HTTP path that answers 2xx when an instance is healthy.", DefaultValueFactory = _ => "/healthz" };
        var healthTimeout = new Option<int>("--health-timeout") { Description = "Seconds an instance has to become healthy.", DefaultValueFactory = _ => 30 };
        var preActivate = new Option<string?>("--pre-activate") { Description = "Hook command run in the new release folder before it starts (migrations, checks)." };
        var hookTimeout = new Option<int>("--hook-timeout") { Description = "Seconds a hook may run.", DefaultValueFactory = _ => 60 };
        var command = new Command("pack", "Pack a folder into one immutable, hashed release artifact.") { dir, service, version, output, entry, health, healthTimeout, preActivate, hookTimeout };
        command.SetAction(async (result, ct) =>
        {
            var source = Path.GetFullPath(result.GetValue(dir)!);
            if (!Directory.Exists(source))
            {
                throw new UserException($"Folder '{source}' does not exist.");
            }

            var name = result.GetValue(service)!;
            var ver = result.GetValue(version)!;
            ServiceName.Validate(name);
            ReleaseVersion.Validate(ver);
            var hooks = result.GetValue(preActivate) is { Length: > 0 } hook
                ? new[] { new HookSpec(HookNames.PreActivate, hook, result.GetValue(hookTimeout)) }
                : [];
            var path = Path.GetFullPath(result.GetValue(output) ?? $"{name}-{ver}{ArtifactLayout.FileExtension}");
            var packed = await ArtifactPacker.PackToFileAsync(
                new PackRequest(source, name, ver, result.GetValue(entry)!, new HealthCheckSpec(result.GetValue(health)!, result.GetValue(healthTimeout)), hooks),
                path,
                ct).ConfigureAwait(false);
            Console.WriteLine($"Packed {name} {ver}: {packed.Manifest.EntryCount} entries, {Sizes.Format(packed.Manifest.TotalSize)} → {path} ({Sizes.Format(packed.Size)})");
            Console.WriteLine($"sha256 {packed.Sha256}");
            return 0;
        });
        return command;
    }
}
