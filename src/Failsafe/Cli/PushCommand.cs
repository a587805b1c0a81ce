using System.CommandLine;
using Failsafe.Artifacts;

namespace Failsafe.Cli;

internal static class PushCommand
{
    public static Command Create()
    {
        var connection = new ConnectionOptions();
        var file = new Argument<string>("FILE") { Description = "An artifact made by 'failsafe pack'." };
        var command = new Command("push", "Upload a release artifact to the server (a re-push of the same bytes changes nothing).") { file };
        connection.AddTo(command);
        command.SetAction(async (result, ct) =>
        {
            var path = Path.GetFullPath(result.GetValue(file)!);
            if (!File.Exists(path))
            {
                throw new UserException($"Artifact '{path}' does not exist.");
            }

            var manifest = await ArtifactVerifier.VerifyAsync(path, limits: null, ct).ConfigureAwait(false);
            var sha = await Sha256Hex.OfFileAsync(path, ct).ConfigureAwait(false);
            using var client = connection.CreateClient(result);
            var release = await client.PushAsync(manifest.Service, manifest.Version, path, sha, ct).ConfigureAwait(false);
            Console.WriteLine(release.Created
                ? $"Pushed {release.Service} {release.Version} ({Sizes.Format(release.Size)}, sha256 {release.Sha256[..12]}…)."
                : $"{release.Service} {release.Version} is already on the server with the same bytes; nothing changed.");
            return 0;
        });
        return command;
    }
}
