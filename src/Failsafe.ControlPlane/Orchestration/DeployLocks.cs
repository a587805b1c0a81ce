using System.Globalization;
using Failsafe.Contracts;
using Failsafe.ControlPlane.Api;
using Failsafe.ControlPlane.Storage;
using Microsoft.AspNetCore.Http;

namespace Failsafe.ControlPlane.Orchestration;

/// <summary>
/// Deploy locks: "nobody deploys SERVICE to ENVIRONMENT but me until …". Each is a lease named
/// <c>deploy-lock/SERVICE/ENVIRONMENT</c>, held by a person's token name, with the reason as its detail; it ends by
/// itself when it expires. The orchestrator's own leases (<see cref="Replica.DeploymentLease"/>) never share the prefix.
/// </summary>
internal static class DeployLocks
{
    public const string Prefix = "deploy-lock/";
    public const int MaxReasonLength = 200;
    public static readonly TimeSpan MaxDuration = TimeSpan.FromDays(7);

    /// <summary>Takes the lock, or renews it (new expiry and reason) when the actor holds it already.</summary>
    /// <exception cref="ApiProblemException">409 when someone else holds it; 400 for a bad name, duration or reason.</exception>
    public static async Task<DeployLockInfo> TakeAsync(
        DbSession s, string service, string environment, Actor actor, TimeSpan duration, string? reason, DateTimeOffset now)
    {
        Validate(service, environment);
        if (duration < TimeSpan.FromMinutes(1) || duration > MaxDuration)
        {
            throw ApiProblemException.BadRequest("A deploy lock lasts from 1 minute to 7 days.");
        }

        reason = string.IsNullOrWhiteSpace(reason) ? null : reason.Trim();
        if (reason is { Length: > MaxReasonLength } || reason?.Any(char.IsControl) == true)
        {
            throw ApiProblemException.BadRequest($"A lock's reason is one line of at most {MaxReasonLength} characters.");
        }

        var name = NameOf(service, environment);
        var previous = await LeasesStore.FindAsync(s, name).ConfigureAwait(false);
        var (held, _) = await LeasesStore.TryHoldAsync(s, name, actor.Name, now, duration, reason).ConfigureAwait(false);
        if (!held)
        {
            throw ApiProblemException.Conflict(LockedSentence(previous!, service, environment, now));
        }

        // As the store keeps it (milliseconds), so the answer equals what a later list shows.
        var expiresAt = DateTimeOffset.FromUnixTimeMilliseconds((now + duration).ToUnixTimeMilliseconds());
        var info = new DeployLockInfo(service, environment, actor.Name, expiresAt, reason);
        var renewed = previous is not null && previous.Holder == actor.Name && previous.ExpiresAt > now;
        var minutes = ((int)Math.Ceiling(duration.TotalMinutes)).ToString(CultureInfo.InvariantCulture);
        await EventsStore.AppendAsync(
            s, now, actor, renewed ? "lock.renew" : "lock.take", Target(service, environment),
            $"for {minutes} minutes" + (reason is null ? string.Empty : $"; reason: {reason}")).ConfigureAwait(false);
        return info;
    }

    /// <summary>
    /// Ends the lock; only its holder may, or an admin with <paramref name="force"/>. Null when there was no unexpired lock.
    /// </summary>
    /// <exception cref="ApiProblemException">409 when someone else holds it (403 when forcing without an admin token).</exception>
    public static async Task<DeployLockInfo?> ReleaseAsync(
        DbSession s, string service, string environment, Actor actor, DateTimeOffset now, bool force = false)
    {
        Validate(service, environment);
        var name = NameOf(service, environment);
        var current = await LeasesStore.FindAsync(s, name).ConfigureAwait(false);
        if (current is null || current.ExpiresAt <= now)
        {
            if (current is not null)
            {
                await LeasesStore.DeleteAsync(s, name).ConfigureAwait(false);
            }

            return null;
        }

        if (current.Holder != actor.Name)
        {
            if (!force)
            {
                throw ApiProblemException.Conflict(
                    $"{LockedSentence(current, service, environment, now)} Only {current.Holder}, or an admin with --force, may unlock it.");
            }

            if (!actor.IsAdmin)
            {
                throw new ApiProblemException(StatusCodes.Status403Forbidden, $"Only an admin token may force open a lock that {current.Holder} holds.");
            }
        }

        await LeasesStore.DeleteAsync(s, name).ConfigureAwait(false);
        await EventsStore.AppendAsync(
            s, now, actor, "lock.release", Target(service, environment),
            current.Holder == actor.Name ? null : $"forced; held by {current.Holder}").ConfigureAwait(false);
        return ToInfo(current);
    }

    /// <summary>The unexpired locks, by service then environment.</summary>
    public static async Task<List<DeployLockInfo>> ListAsync(DbSession s, DateTimeOffset now) =>
        (await LeasesStore.ListAsync(s, Prefix, now).ConfigureAwait(false)).Select(ToInfo).ToList();

    /// <summary>For whoever starts a deployment: refuses (409) when someone other than the actor holds the lock.</summary>
    public static async Task RefuseIfLockedAsync(DbSession s, string service, string environment, Actor actor, DateTimeOffset now)
    {
        var current = await LeasesStore.FindAsync(s, NameOf(service, environment)).ConfigureAwait(false);
        if (current is not null && current.ExpiresAt > now && current.Holder != actor.Name)
        {
            throw ApiProblemException.Conflict($"{LockedSentence(current, service, environment, now)} Wait for it, or ask {current.Holder} to unlock it.");
        }
    }

    public static string NameOf(string service, string environment) => $"{Prefix}{service}/{environment}";

    private static string LockedSentence(Lease lease, string service, string environment, DateTimeOffset now)
    {
        var minutes = Math.Max(1, (int)Math.Ceiling((lease.ExpiresAt - now).TotalMinutes));
        var why = lease.Detail is null ? "no reason given" : $"\"{lease.Detail}\"";
        return $"{service} in {environment} is locked by {lease.Holder} ({why}) for {minutes} more minute{(minutes == 1 ? "" : "s")}.";
    }

    private static DeployLockInfo ToInfo(Lease lease)
    {
        var parts = lease.Name[Prefix.Length..].Split('/', 2);
        return new DeployLockInfo(parts[0], parts[1], lease.Holder, lease.ExpiresAt, lease.Detail);
    }

    private static string Target(string service, string environment) => $"lock/{service}/{environment}";

    private static void Validate(string service, string environment)
    {
        DeploymentPlanner.ValidateNames(service, null);
        EnvironmentNames.Validate(environment);
    }
}
