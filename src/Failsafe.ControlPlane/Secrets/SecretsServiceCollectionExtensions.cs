using Failsafe.ControlPlane.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Failsafe.ControlPlane.Secrets;

internal static class SecretsServiceCollectionExtensions
{
    /// <summary>
    /// Opens the secret key file (made on the first start) and registers the vault. Called while the server is built,
    /// after the store is migrated: a key file that lacks a key the stored secrets need stops the start with one line.
    /// </summary>
    public static IServiceCollection AddSecretVault(this IServiceCollection services, string keyFile, IDatabase database)
    {
        var inUse = database.ReadAsync(SecretsStore.KeyIdsInUseAsync, CancellationToken.None).GetAwaiter().GetResult();
        services.AddSingleton(SecretKeyring.Open(keyFile, inUse));
        services.AddSingleton<SecretVault>();
        return services;
    }
}
