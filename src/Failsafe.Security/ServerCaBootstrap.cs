using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Failsafe.Contracts;

namespace Failsafe.Security;

/// <summary>
/// The first step of a client that knows only the server CA's fingerprint (from an enrollment
/// token or <c>--ca-fingerprint</c>), as kubeadm's discovery does: fetch the CA certificate,
/// keep it only if its SHA-256 is the pinned one, then talk to the server through a
/// <see cref="ServerCertificatePin"/> built on it.
/// </summary>
public static class ServerCaBootstrap
{
    private const int MaxPemBytes = 64 * 1024;
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// GET <see cref="AgentRoutes.CaCertificate"/> on <paramref name="serverBaseUrl"/> and return the CA
    /// certificate if it has <paramref name="caFingerprint"/>. Uses the system's proxy settings.
    /// </summary>
    /// <exception cref="ServerTrustException">The server sent another CA, or nothing readable as one.</exception>
    /// <exception cref="HttpRequestException">The server cannot be reached, did not answer in time or refused.</exception>
    public static Task<X509Certificate2> FetchAsync(Uri serverBaseUrl, string caFingerprint, CancellationToken ct) =>
        FetchAsync(serverBaseUrl, caFingerprint, useProxy: true, ct);

    /// <inheritdoc cref="FetchAsync(Uri, string, CancellationToken)"/>
    /// <param name="useProxy">False to connect directly whatever the environment's proxy settings, as the agent does.</param>
    public static async Task<X509Certificate2> FetchAsync(Uri serverBaseUrl, string caFingerprint, bool useProxy, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(serverBaseUrl);
        if (!CertificateFingerprint.IsWellFormed(caFingerprint))
        {
            throw new ArgumentException("A certificate fingerprint is 64 lowercase hex characters (SHA-256).", nameof(caFingerprint));
        }

        var server = serverBaseUrl.GetLeftPart(UriPartial.Path).TrimEnd('/');
        var pem = await GetPemAsync(new Uri(server + AgentRoutes.CaCertificate), useProxy, ct).ConfigureAwait(false);

        X509Certificate2 ca;
        try
        {
            ca = X509Certificate2.CreateFromPem(pem);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            throw new ServerTrustException($"The server at {server} sent no readable CA certificate at {AgentRoutes.CaCertificate}: refusing to trust it.", e);
        }

        var presented = CertificateFingerprint.Of(ca);
        if (presented != caFingerprint)
        {
            ca.Dispose();
            throw new ServerTrustException(
                $"The server at {server} presented a CA with fingerprint {presented}, not the pinned {caFingerprint}: refusing to trust it.");
        }

        return ca;
    }

    private static async Task<string> GetPemAsync(Uri url, bool useProxy, CancellationToken ct)
    {
        using var handler = new SocketsHttpHandler
        {
            UseProxy = useProxy,
            ConnectTimeout = ConnectTimeout,
            AllowAutoRedirect = false,
            // Certificate validation is off for this one request only, and that is safe: the CA certificate
            // is public, so nothing secret is sent or received (no token, no client certificate), and what
            // comes back is trusted only if its SHA-256 equals the pinned fingerprint, which an attacker
            // cannot forge. Every later request goes through a ServerCertificatePin built on that CA.
            SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
        };
        using var http = new HttpClient(handler) { Timeout = RequestTimeout, MaxResponseContentBufferSize = MaxPemBytes };
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/x-pem-file"));
        try
        {
            using var response = await http.SendAsync(request, ct).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw new HttpRequestException(
                    $"{url} answered {(int)response.StatusCode} {response.ReasonPhrase} instead of the CA certificate",
                    null,
                    response.StatusCode);
            }

            return await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
        }
        catch (TaskCanceledException e) when (!ct.IsCancellationRequested)
        {
            // HttpClient's own timeout: callers handle one exception for "the server did not answer".
            throw new HttpRequestException($"{url} did not answer within {RequestTimeout.TotalSeconds:0} s", e);
        }
    }
}
