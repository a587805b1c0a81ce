using Failsafe.Config;
using Failsafe.Contracts;
using Failsafe.ControlPlane.Api;
using Failsafe.ControlPlane.Storage;

namespace Failsafe.ControlPlane.Configuration;

/// <summary>
/// <c>failsafe plan</c> and <c>failsafe apply</c> on the server. The files are the truth: apply replaces the applied
/// document in one transaction, with an event naming the git commit; an unchanged tree changes nothing, not even the
/// revision. Files without the fleet (a service repository on its own) change only the services they describe.
/// </summary>
internal sealed class ConfigService(IDatabase database, TimeProvider time)
{
    public Task<ConfigState> CurrentAsync(CancellationToken cancellationToken) =>
        database.ReadAsync(ConfigStore.ReadAsync, cancellationToken);

    public Task<ConfigPlan> PlanAsync(ConfigRequest request, CancellationToken cancellationToken) =>
        database.ReadAsync(
            async session =>
            {
                var current = await ConfigStore.ReadAsync(session).ConfigureAwait(false);
                var (desired, changes, unmanaged) = Merge(current.Document, request);
                var drift = await ConfigDriftFinder.FindAsync(session, desired, unmanaged).ConfigureAwait(false);
                return new ConfigPlan(current.Revision, current.Commit, changes, drift);
            },
            cancellationToken);

    public Task<ConfigApplied> ApplyAsync(ConfigRequest request, Actor actor, CancellationToken cancellationToken) =>
        database.WriteAsync(
            async session =>
            {
                var current = await ConfigStore.ReadAsync(session).ConfigureAwait(false);
                if (request.ExpectedRevision is { } expected && expected != current.Revision)
                {
                    throw ApiProblemException.Conflict(
                        $"The configuration changed since the plan (revision {expected}, now {current.Revision}"
                        + (current.AppliedBy is null ? "" : $", applied by {current.AppliedBy}") + "); run plan again.");
                }

                var (desired, changes, _) = Merge(current.Document, request);
                if (changes.Count == 0)
                {
                    return new ConfigApplied(current.Revision, false, []);
                }

                var revision = current.Revision + 1;
                var now = time.GetUtcNow();
                await ConfigStore.WriteAsync(session, revision, desired, now, actor, request.Commit, request.Source).ConfigureAwait(false);
                await EventsStore.AppendAsync(
                    session, now, actor, "config.apply", "config",
                    $"revision {revision}" + (request.Commit is null ? "" : $" from commit {request.Commit}")
                    + (request.Source is null ? "" : $" ({request.Source})") + ": " + Summary(changes)).ConfigureAwait(false);
                return new ConfigApplied(revision, true, changes);
            },
            cancellationToken);

    /// <summary>Where <c>promote SERVICE VERSION</c> goes without <c>--to</c>: the lifecycle's phase after the last one the release succeeded in.</summary>
    public Task<string> NextEnvironmentAsync(string service, string version, CancellationToken cancellationToken) =>
        database.ReadAsync(
            async session =>
            {
                var document = (await ConfigStore.ReadAsync(session).ConfigureAwait(false)).Document;
                var config = document.Services.FirstOrDefault(s => s.Name == service)
                    ?? throw ApiProblemException.BadRequest($"{service} has no failsafe.yaml applied: add one to its repository and run 'failsafe apply'.");
                var succeeded = await DeploymentsStore.SucceededEnvironmentsAsync(session, service, version).ConfigureAwait(false);
                return LifecycleRules.Next(LifecycleRules.Of(document, config), config, version, succeeded);
            },
            cancellationToken);

    /// <summary>The document apply would store, what changes, and the services left as they are because the files do not describe them.</summary>
    private static (ConfigDocument Desired, List<ConfigChange> Changes, List<string> Unmanaged) Merge(ConfigDocument current, ConfigRequest request)
    {
        var files = request.Desired ?? throw ApiProblemException.BadRequest("The request holds no configuration.");
        ConfigInputRules.Check(files);
        var described = files.Services.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        var unmanaged = request.Prune ? [] : current.Services.Where(s => !described.Contains(s.Name)).ToList();
        var desired = new ConfigDocument(
            [.. files.Services.Concat(unmanaged).OrderBy(s => s.Name, StringComparer.Ordinal)],
            request.IncludesFleet ? files.Environments : current.Environments,
            request.IncludesFleet ? files.HostGroups : current.HostGroups,
            request.IncludesFleet ? files.Lifecycles : current.Lifecycles);
        var problems = ConfigRules.Check(desired);
        if (problems.Count > 0)
        {
            throw ApiProblemException.BadRequest(
                "The configuration does not hold together" + (request.IncludesFleet ? "" : " with the server's fleet") + ": "
                + string.Join(" ", problems));
        }

        return (desired, ConfigDiff.Compare(current, desired), unmanaged.Select(s => s.Name).ToList());
    }

    private static string Summary(List<ConfigChange> changes) =>
        string.Join(", ", changes.Select(c => (c.Action switch { ChangeKinds.Add => "+", ChangeKinds.Remove => "-", _ => "~" }) + $" {c.Kind} {c.Name}"));
}
