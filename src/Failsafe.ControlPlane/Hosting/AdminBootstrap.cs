using Failsafe.ControlPlane.Storage;
using Failsafe.Security;

namespace Failsafe.ControlPlane.Hosting;

/// <summary>The first start makes the first admin token. Only its hash is kept; the token itself is shown once.</summary>
internal static class AdminBootstrap
{
    public const string AdminName = "admin";

    public static Task<string?> EnsureAdminTokenAsync(IDatabase database, TimeProvider time, string? tokenFile, CancellationToken cancellationToken) =>
        database.WriteAsync<string?>(
            async session =>
            {
                if (await TokensStore.CountApiTokensAsync(session).ConfigureAwait(false) > 0)
                {
                    return null;
                }

                var token = ApiToken.Create();
                var now = time.GetUtcNow();
                await TokensStore.AddApiTokenAsync(session, AdminName, AdminName, ApiToken.Hash(token), now).ConfigureAwait(false);
                await EventsStore.AppendAsync(session, now, Actor.System, "token.create", AdminName, "first admin token, made at the first start")
                    .ConfigureAwait(false);
                if (tokenFile is not null)
                {
                    // Inside the transaction: if the file cannot be written, no token exists that nobody holds.
                    SecretFile.Write(tokenFile, token + "\n");
                }

                return token;
            },
            cancellationToken);
}
