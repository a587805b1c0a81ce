using System.Net.Http.Json;
using Failsafe.Contracts;

namespace Failsafe.Client;

/// <summary>Secrets, API tokens and deploy locks.</summary>
internal sealed partial class FailsafeClient
{
    /// <summary>Sends the value in the request body only; the answer holds its name and version, never the value.</summary>
    public Task<SecretInfo> SetSecretAsync(string environment, string name, string value, CancellationToken ct) =>
        SendAsync<SecretInfo>(HttpMethod.Put, ApiRoutes.SecretFor(environment, name), JsonContent.Create(new SetSecret(value), options: FailsafeJson.Options), ct);

    public Task<IReadOnlyList<SecretInfo>> ListSecretsAsync(string? environment, CancellationToken ct) =>
        GetAsync<IReadOnlyList<SecretInfo>>(ApiRoutes.Secrets + Query("environment", environment), ct);

    /// <summary>The secret as it was; fails with the server's sentence when there is none.</summary>
    public Task<SecretInfo> DeleteSecretAsync(string environment, string name, CancellationToken ct) =>
        SendAsync<SecretInfo>(HttpMethod.Delete, ApiRoutes.SecretFor(environment, name), null, ct);

    public Task<KeyRotated> RotateSecretKeyAsync(CancellationToken ct) =>
        SendAsync<KeyRotated>(HttpMethod.Post, ApiRoutes.SecretKeyRotation, null, ct);

    public Task<ApiTokenCreated> CreateApiTokenAsync(CreateApiToken request, CancellationToken ct) =>
        SendAsync<ApiTokenCreated>(HttpMethod.Post, ApiRoutes.Tokens, JsonContent.Create(request, options: FailsafeJson.Options), ct);

    public Task<DeployLockInfo> TakeDeployLockAsync(string service, TakeDeployLock request, CancellationToken ct) =>
        SendAsync<DeployLockInfo>(HttpMethod.Post, ApiRoutes.LockFor(service), JsonContent.Create(request, options: FailsafeJson.Options), ct);

    /// <summary>The lock as it was; fails with the server's sentence when someone else holds it (unless forced by an admin) or none is held.</summary>
    public Task<DeployLockInfo> ReleaseDeployLockAsync(string service, string environment, bool force, CancellationToken ct) =>
        SendAsync<DeployLockInfo>(
            HttpMethod.Delete, ApiRoutes.LockFor(service) + Query("environment", environment) + (force ? "&force=true" : string.Empty), null, ct);

    public Task<IReadOnlyList<DeployLockInfo>> ListDeployLocksAsync(CancellationToken ct) =>
        GetAsync<IReadOnlyList<DeployLockInfo>>(ApiRoutes.Locks, ct);
}
