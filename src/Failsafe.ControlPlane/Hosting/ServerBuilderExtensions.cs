using Failsafe.ControlPlane.AgentProtocol;
using Failsafe.ControlPlane.Api;
using Failsafe.ControlPlane.Blobs;
using Failsafe.ControlPlane.Secrets;
using Failsafe.ControlPlane.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Failsafe.ControlPlane.Hosting;

public static class ServerBuilderExtensions
{
    /// <summary>
    /// Makes <paramref name="builder"/> a Failsafe server: prepares the data folder, serves HTTPS only
    /// (agents' client certificates checked against our own CA in the handshake) and registers the services.
    /// The handshake carries the server certificate and its intermediates, never the anchor: clients that
    /// know just the anchor's fingerprint fetch it from <see cref="Contracts.AgentRoutes.CaCertificate"/> first.
    /// </summary>
    public static WebApplicationBuilder AddFailsafeServer(this WebApplicationBuilder builder, ServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        var urls = ParseUrls(options.Urls);
        if (options.AgentOfflineAfter <= TimeSpan.Zero || options.HostTaskTimeout <= TimeSpan.Zero)
        {
            throw new ServerStartupException("The agent offline delay and the host task timeout must be positive.");
        }

        var provided = LoadProvidedCertificate(options);
        var data = new DataDirectory(options.DataDirectory);
        var tls = TlsMaterial.LoadOrCreate(data.Tls, options.TlsSubjectAlternativeNames, provided, options.Time);
        var database = Databases.OpenAsync(options, data.Database, CancellationToken.None).GetAwaiter().GetResult();
        string? adminToken;
        try
        {
            // Before the first admin token: a key file that cannot be used must not cost a token nobody was shown.
            builder.Services.AddSecretVault(options.SecretKeyFile ?? data.SecretKeys, database);
            adminToken = AdminBootstrap.EnsureAdminTokenAsync(database, options.Time, options.BootstrapTokenFile, CancellationToken.None)
                .GetAwaiter().GetResult();
        }
        catch
        {
            (database as IAsyncDisposable)?.DisposeAsync().AsTask().GetAwaiter().GetResult();
            throw;
        }

        builder.WebHost.UseKestrelHttpsConfiguration();
        builder.WebHost.UseUrls([.. urls]);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.ConfigureHttpsDefaults(https =>
            {
                https.ServerCertificate = tls.ServerCertificate;
                if (tls.ServerCertificateChain.Count > 0)
                {
                    https.ServerCertificateChain = tls.ServerCertificateChain;
                }

                https.ClientCertificateMode = ClientCertificateMode.AllowCertificate;
                https.CheckCertificateRevocation = false;

                // A certificate we did not issue, or one not meant for clients, ends the handshake before any request.
                https.ClientCertificateValidation = (certificate, _, _) => tls.Authority.IsAgentCertificate(certificate);
            });
        });
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);
        builder.Services.AddFailsafeServerServices(options, database, new FileBlobStore(data.Blobs, options.Time), tls, new FirstStart(adminToken));
        return builder;
    }

    /// <summary>Adds the middleware and every route of the API and of the agent protocol.</summary>
    public static WebApplication MapFailsafeServer(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseMiddleware<ApiErrorMiddleware>();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapReleasesApi();
        app.MapDeploymentsApi();
        app.MapServicesApi();
        app.MapAgentsApi();
        app.MapEventsApi();
        app.MapSecretsApi();
        app.MapLocksApi();
        app.MapTokensApi();
        app.MapConfigApi();
        app.MapAgentProtocol();
        return app;
    }

    private static ProvidedServerCertificate? LoadProvidedCertificate(ServerOptions options)
    {
        if (options.TlsCertificateFile is { } certificateFile)
        {
            return ProvidedServerCertificate.Load(certificateFile, options.TlsKeyFile, options.TlsCaFile, options.Time);
        }

        return options.TlsKeyFile is null && options.TlsCaFile is null
            ? null
            : throw new ServerStartupException("--tls-key and --tls-ca go with --tls-cert: give the server's certificate too, or none of them.");
    }

    private static List<string> ParseUrls(string urls)
    {
        var list = urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        if (list.Count == 0)
        {
            throw new ServerStartupException("No URL to listen on: give one such as https://0.0.0.0:7443.");
        }

        foreach (var url in list)
        {
            if (!url.StartsWith("https://", StringComparison.OrdinalIgnoreCase) || url.Length <= "https://".Length)
            {
                throw new ServerStartupException($"Failsafe serves HTTPS only: '{url}' is not an https:// URL.");
            }
        }

        return list;
    }
}
