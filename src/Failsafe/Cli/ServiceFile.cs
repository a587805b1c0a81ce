using Failsafe.Config;
using Failsafe.Contracts;

namespace Failsafe.Cli;

/// <summary>The failsafe.yaml that <c>pack</c> reads: what starts the service and how it is checked go into the release itself.</summary>
internal static class ServiceFile
{
    public static ServiceConfig? Find(string? given, string releaseFolder)
    {
        var path = given ?? new[] { Path.Join(releaseFolder, "failsafe.yaml"), Path.GetFullPath("failsafe.yaml") }.FirstOrDefault(File.Exists);
        if (path is null)
        {
            return null;
        }

        if (!File.Exists(path))
        {
            throw new UserException($"'{path}' does not exist.");
        }

        var loaded = ConfigLoader.Load(path);
        if (!loaded.Ok)
        {
            foreach (var error in loaded.Errors)
            {
                Console.Error.WriteLine(error.ToString());
            }

            throw new UserException($"{path} has {loaded.Errors.Count} mistake{(loaded.Errors.Count == 1 ? "" : "s")}; nothing was packed.");
        }

        return loaded.Document.Services.SingleOrDefault() ?? throw new UserException($"{path} is not a service's failsafe.yaml (it has no 'service:').");
    }
}
