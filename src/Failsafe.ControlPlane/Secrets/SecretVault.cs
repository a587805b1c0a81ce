using System.Security.Cryptography;
using Failsafe.Contracts;
using Failsafe.ControlPlane.Api;
using Failsafe.ControlPlane.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Failsafe.ControlPlane.Secrets;

/// <summary>
/// Secrets sealed at rest (<see cref="SecretSeal"/>) with the keys of <see cref="SecretKeyring"/>. Values come in through
/// <see cref="SetAsync"/> and leave only through <see cref="RevealAsync"/>, for the dispatcher; lists, events, logs and
/// errors carry names and versions, never a value.
/// </summary>
internal sealed partial class SecretVault(IDatabase database, SecretKeyring keyring, TimeProvider time, ILogger<SecretVault> logger)
{
    // A value sealed with the old key that commits after a rotation re-sealed every row would be left on a key the
    // rotation then drops: in this process, sets wait while a rotation runs.
    private readonly SemaphoreSlim _rotation = new(1, 1);

    public async Task<SecretInfo> SetAsync(string environment, string name, string value, Actor actor, CancellationToken ct)
    {
        SecretNames.ValidateEnvironment(environment);
        SecretNames.ValidateName(name);
        SecretNames.ValidateValue(value);
        await _rotation.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            return await database.WriteAsync(
                async session =>
                {
                    var existing = await SecretsStore.FindAsync(session, environment, name).ConfigureAwait(false);
                    var version = (existing?.Version ?? 0) + 1;
                    var key = keyring.Current;
                    var record = new SecretRecord(
                        environment, name, version, key.Id, SecretSeal.Seal(key, new(environment, name, version), value), time.GetUtcNow(), actor.Name);
                    await SecretsStore.UpsertAsync(session, record).ConfigureAwait(false);
                    await EventsStore.AppendAsync(session, record.UpdatedAt, actor, "secret.set", Target(environment, name), $"version {version}")
                        .ConfigureAwait(false);
                    return record.ToInfo();
                },
                ct).ConfigureAwait(false);
        }
        finally
        {
            _rotation.Release();
        }
    }

    /// <summary>The value, inside the caller's transaction; null when no such secret exists.</summary>
    /// <exception cref="SecretUnavailableException">The row cannot be unsealed (its key is gone, or the row was altered).</exception>
    public async Task<string?> RevealAsync(DbSession session, string environment, string name)
    {
        var record = await SecretsStore.FindAsync(session, environment, name).ConfigureAwait(false);
        return record is null ? null : Unseal(record);
    }

    public async Task<IReadOnlyList<SecretInfo>> ListAsync(string? environment, CancellationToken ct)
    {
        if (environment is not null)
        {
            SecretNames.ValidateEnvironment(environment);
        }

        var records = await database.ReadAsync(s => SecretsStore.ListAsync(s, environment), ct).ConfigureAwait(false);
        return records.Select(r => r.ToInfo()).ToList();
    }

    /// <summary>The secret as it was before it was deleted; null when there was no such secret.</summary>
    public Task<SecretInfo?> DeleteAsync(string environment, string name, Actor actor, CancellationToken ct)
    {
        SecretNames.ValidateEnvironment(environment);
        SecretNames.ValidateName(name);
        return database.WriteAsync(
            async session =>
            {
                var existing = await SecretsStore.FindAsync(session, environment, name).ConfigureAwait(false);
                if (existing is null || !await SecretsStore.DeleteAsync(session, environment, name).ConfigureAwait(false))
                {
                    return null;
                }

                await EventsStore.AppendAsync(session, time.GetUtcNow(), actor, "secret.delete", Target(environment, name), $"version {existing.Version}")
                    .ConfigureAwait(false);
                return existing.ToInfo();
            },
            ct);
    }

    /// <summary>
    /// Appends a new key to the key file (on disk first), re-seals every secret with it in one transaction, then drops
    /// from the file every key no row names. A crash at any step leaves each row's key in the file.
    /// </summary>
    public async Task<KeyRotated> RotateKeyAsync(Actor actor, CancellationToken ct)
    {
        if (!actor.IsAdmin)
        {
            throw new ApiProblemException(StatusCodes.Status403Forbidden, "Only an admin token may rotate the secret key.");
        }

        await _rotation.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var key = keyring.Add();
            var count = await ResealAllAsync(key, actor, ct).ConfigureAwait(false);
            var inUse = await database.ReadAsync(SecretsStore.KeyIdsInUseAsync, ct).ConfigureAwait(false);
            keyring.Retain(inUse);
            Log.Rotated(logger, key.Id, count);
            return new KeyRotated(key.Id, count);
        }
        finally
        {
            _rotation.Release();
        }
    }

    /// <summary>The rotation's second step: every row re-sealed with <paramref name="key"/>, all or none.</summary>
    internal Task<int> ResealAllAsync(SecretKey key, Actor actor, CancellationToken ct) =>
        database.WriteAsync(
            async session =>
            {
                var records = await SecretsStore.ListAsync(session, null).ConfigureAwait(false);
                foreach (var record in records)
                {
                    var address = new SecretAddress(record.Environment, record.Name, record.Version);
                    await SecretsStore.ResealAsync(session, record.Environment, record.Name, key.Id, SecretSeal.Seal(key, address, Unseal(record)))
                        .ConfigureAwait(false);
                }

                await EventsStore.AppendAsync(session, time.GetUtcNow(), actor, "secret.rotate-key", "secrets", $"key {key.Id}; {records.Count} re-sealed")
                    .ConfigureAwait(false);
                return records.Count;
            },
            ct);

    private string Unseal(SecretRecord record)
    {
        var key = keyring.Find(record.KeyId)
            ?? throw new SecretUnavailableException(
                $"The secret {record.Name} in {record.Environment} was sealed with key {record.KeyId}, which the secret key file {keyring.FilePath} does not hold.");
        try
        {
            return SecretSeal.Unseal(key, new(record.Environment, record.Name, record.Version), record.Sealed);
        }
        catch (CryptographicException)
        {
            throw new SecretUnavailableException(
                $"The secret {record.Name} in {record.Environment} does not unseal with key {record.KeyId}: its row was altered or copied from another secret.");
        }
    }

    private static string Target(string environment, string name) => $"secret/{environment}/{name}";

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "The secret key was rotated to {KeyId}; {Count} secrets were re-sealed with it")]
        public static partial void Rotated(ILogger logger, string keyId, int count);
    }
}
