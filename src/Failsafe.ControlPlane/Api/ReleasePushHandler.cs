using Failsafe.Artifacts;
using Failsafe.Contracts;
using Failsafe.ControlPlane.Blobs;
using Failsafe.ControlPlane.Orchestration;
using Failsafe.ControlPlane.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Failsafe.ControlPlane.Api;

/// <summary>
/// Receives an artifact: streams it to a staged blob while hashing (never whole in memory), reads
/// its manifest, and records the release. Versions are immutable: the same bytes again are a no-op,
/// other bytes under the same version are refused.
/// </summary>
internal sealed class ReleasePushHandler(IDatabase database, IBlobStore blobs, TimeProvider time)
{
    public const string Sha256Header = "X-Failsafe-Sha256";
    public const long MaxArtifactBytes = 10L * 1024 * 1024 * 1024;

    public async Task<IResult> PushAsync(HttpContext context, string service, string version)
    {
        DeploymentPlanner.ValidateNames(service, version);
        var ct = context.RequestAborted;
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = MaxArtifactBytes;
        }

        var expected = context.Request.Headers[Sha256Header].ToString().Trim().ToLowerInvariant();
        if (expected.Length > 0 && !FileBlobStore.IsValidHash(expected))
        {
            throw ApiProblemException.BadRequest($"The {Sha256Header} header must be 64 hex characters.");
        }

        await using var staged = await blobs.StageAsync(context.Request.Body, ct).ConfigureAwait(false);
        if (staged.Size == 0)
        {
            throw ApiProblemException.BadRequest("The request has no body: send the artifact file as the body.");
        }

        if (expected.Length > 0 && expected != staged.Sha256)
        {
            throw ApiProblemException.BadRequest(
                $"The upload's SHA-256 is {staged.Sha256} but {Sha256Header} says {expected}: the artifact was damaged on the way; push it again.");
        }

        ReleaseManifest manifest;
        try
        {
            // Every byte is checked before the release exists: a damaged artifact must fail here, not on every host.
            manifest = await ArtifactVerifier.VerifyAsync(staged.TempPath, limits: null, ct).ConfigureAwait(false);
        }
        catch (ArtifactException e)
        {
            throw ApiProblemException.BadRequest("The artifact is not valid: " + e.Message);
        }

        if (manifest.Service != service || manifest.Version != version)
        {
            throw ApiProblemException.BadRequest(
                $"The artifact holds {manifest.Service} {manifest.Version} but was pushed as {service} {version}.");
        }

        var existing = await database.ReadAsync(s => ReleasesStore.FindAsync(s, service, version), ct).ConfigureAwait(false);
        if (existing is not null)
        {
            return Answer(existing, staged.Sha256, created: false);
        }

        // Publish the bytes before the row that points at them: the database never names a missing blob.
        await staged.CommitAsync().ConfigureAwait(false);
        var actor = Auth.AuthSchemes.ActorOf(context);
        var (release, created) = await database.WriteAsync(
            async session =>
            {
                var raced = await ReleasesStore.FindAsync(session, service, version).ConfigureAwait(false);
                if (raced is not null)
                {
                    return (raced, false);
                }

                var now = time.GetUtcNow();
                var record = new ReleaseRecord(
                    service, version, staged.Sha256, staged.Size, manifest.Files.Count(f => f.Type == EntryTypes.File),
                    manifest.TotalSize, now, actor.Name);
                await ReleasesStore.AddAsync(session, record).ConfigureAwait(false);
                await EventsStore.AppendAsync(session, now, actor, "release.push", $"{service}/{version}", $"sha256 {staged.Sha256}, {staged.Size} bytes")
                    .ConfigureAwait(false);
                return (record, true);
            },
            ct).ConfigureAwait(false);
        return Answer(release, staged.Sha256, created);
    }

    private static IResult Answer(ReleaseRecord release, string pushedSha256, bool created)
    {
        if (release.Sha256 != pushedSha256)
        {
            throw ApiProblemException.Conflict(
                $"Release {release.Service} {release.Version} already exists with a different artifact (sha256 {release.Sha256[..12]}…); "
                + "versions are immutable: push a new version.");
        }

        return created
            ? Results.Json(release.ToInfo(true), FailsafeJson.Options, statusCode: StatusCodes.Status201Created)
            : Results.Json(release.ToInfo(false), FailsafeJson.Options);
    }
}
