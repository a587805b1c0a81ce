using System.Security.Cryptography.X509Certificates;
using Failsafe.Security;

namespace Failsafe.ControlPlane.Hosting;

/// <summary>
/// The CA that agents and the CLI pin: its fingerprint is printed at start and carried in enrollment
/// tokens, and its certificate is served at <see cref="Contracts.AgentRoutes.CaCertificate"/>. It is our
/// own CA unless the operator gives the server's certificate (then the CA that issued that one). Agents'
/// client certificates are always signed by our own CA, whatever the anchor.
/// </summary>
internal sealed class TrustAnchor : IDisposable
{
    public TrustAnchor(X509Certificate2 certificate)
    {
        // A copy without any private key: this one is shown to everybody.
        Certificate = X509CertificateLoader.LoadCertificate(certificate.RawData);
        Fingerprint = CertificateFingerprint.Of(Certificate);
        Pem = Certificate.ExportCertificatePem();
    }

    public X509Certificate2 Certificate { get; }

    /// <summary>SHA-256 of <see cref="Certificate"/>: what agents and the CLI pin.</summary>
    public string Fingerprint { get; }

    public string Pem { get; }

    public void Dispose() => Certificate.Dispose();
}
