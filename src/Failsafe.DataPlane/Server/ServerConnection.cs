using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Failsafe.Security;

namespace Failsafe.DataPlane;

/// <summary>
/// HTTPS to the Failsafe server, trusting exactly the pinned CA (never the system store) and,
/// once enrolled, presenting the agent's client certificate.
/// </summary>
internal sealed class ServerConnection : IDisposable
{
    private readonly X509Certificate2? _clientCertificate;
    private readonly X509Certificate2? _caCertificate;

    private ServerConnection(Uri server, ServerCertificatePin pin, X509Certificate2? clientCertificate, X509Certificate2? caCertificate, TimeSpan timeout)
    {
        _clientCertificate = clientCertificate;
        _caCertificate = caCertificate;
        var ssl = new SslClientAuthenticationOptions
        {
            RemoteCertificateValidationCallback = pin.Callback,
        };
        if (clientCertificate is not null)
        {
            ssl.ClientCertificates = [clientCertificate];
            // Always present the certificate, whatever CA names the server's request lists.
            ssl.LocalCertificateSelectionCallback = (_, _, _, _, _) => clientCertificate;
        }

        var handler = new SocketsHttpHandler
        {
            SslOptions = ssl,
            UseProxy = false,
            ConnectTimeout = TimeSpan.FromSeconds(10),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(60),
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
        };
        Http = new HttpClient(handler) { BaseAddress = server, Timeout = timeout };
    }

    public HttpClient Http { get; }

    /// <summary>
    /// Before enrollment: no client certificate. The agent knows only the CA fingerprint in the enrollment
    /// token, so it fetches the CA first (kept only if it has that fingerprint) and pins it.
    /// </summary>
    /// <exception cref="ServerTrustException">The server offers another CA.</exception>
    /// <exception cref="HttpRequestException">The server cannot be reached or did not hand out its CA.</exception>
    public static async Task<ServerConnection> ForEnrollmentAsync(Uri server, string caFingerprint, CancellationToken cancellationToken)
    {
        var ca = await ServerCaBootstrap.FetchAsync(server, caFingerprint, useProxy: false, cancellationToken).ConfigureAwait(false);
        return new ServerConnection(server, new ServerCertificatePin(caFingerprint, ca), null, ca, TimeSpan.FromSeconds(30));
    }

    public static ServerConnection ForAgent(Uri server, AgentIdentity identity, AgentIdentityStore store)
    {
        var client = store.LoadClientCertificate();
        var ca = store.LoadCaCertificate();
        if (CertificateFingerprint.Of(ca) != identity.CaFingerprint)
        {
            throw new AgentException($"{store.CaFile} does not match the CA fingerprint in {store.IdentityFile}; remove the agent directory and enroll again.");
        }

        // Requests carry their own deadlines (the long poll is longer than any default).
        return new ServerConnection(server, new ServerCertificatePin(identity.CaFingerprint, ca), client, ca, Timeout.InfiniteTimeSpan);
    }

    public static Uri ParseServerUrl(string? url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps || !string.IsNullOrEmpty(uri.Query))
        {
            throw new AgentException($"Server URL '{url}' is not valid: give the server's https:// address, e.g. https://failsafe.example.com:8443.");
        }

        return uri;
    }

    public void Dispose()
    {
        Http.Dispose();
        _clientCertificate?.Dispose();
        _caCertificate?.Dispose();
    }
}
