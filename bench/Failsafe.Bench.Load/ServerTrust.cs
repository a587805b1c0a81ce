using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Failsafe.Security;

namespace Failsafe.Bench.Load;

/// <summary>The server's CA, read from its data folder, pinned by every client of the benchmark as agents and the CLI pin it.</summary>
internal sealed class ServerTrust : IDisposable
{
    private readonly X509Certificate2 _ca;
    private readonly ServerCertificatePin _pin;

    public ServerTrust(string dataDirectory)
    {
        _ca = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(dataDirectory, "tls", "ca.crt.pem")));
        Fingerprint = CertificateFingerprint.Of(_ca);
        _pin = new ServerCertificatePin(Fingerprint, _ca);
    }

    public string Fingerprint { get; }

    /// <summary>TLS options for a client of the server, presenting <paramref name="clientCertificate"/> when given.</summary>
    public SslClientAuthenticationOptions SslOptions(X509Certificate2? clientCertificate = null)
    {
        var ssl = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = _pin.Callback };
        if (clientCertificate is not null)
        {
            ssl.ClientCertificates = [clientCertificate];
            ssl.LocalCertificateSelectionCallback = (_, _, _, _, _) => clientCertificate;
        }

        return ssl;
    }

    public void Dispose() => _ca.Dispose();
}
