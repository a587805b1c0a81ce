using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Failsafe.Security;

/// <summary>
/// Trusts exactly one server: the one whose certificate chains to the CA with the pinned
/// fingerprint, or whose own certificate has that fingerprint. The system's trust store plays
/// no part, and a certificate the CA issued to an agent (client EKU only) is not a server.
/// </summary>
public sealed class ServerCertificatePin
{
    private static readonly Oid ServerAuth = new("1.3.6.1.5.5.7.3.1");
    private readonly string _fingerprint;
    private readonly X509Certificate2? _caCertificate;

    public ServerCertificatePin(string fingerprint, X509Certificate2? caCertificate = null)
    {
        if (!CertificateFingerprint.IsWellFormed(fingerprint))
        {
            throw new ArgumentException("A certificate fingerprint is 64 lowercase hex characters (SHA-256).", nameof(fingerprint));
        }

        _fingerprint = fingerprint;
        _caCertificate = caCertificate;
    }

    public string Fingerprint => _fingerprint;

    public bool Validate(X509Certificate2? certificate, X509Chain? presentedChain)
    {
        if (certificate is null)
        {
            return false;
        }

        if (CertificateFingerprint.Of(certificate) == _fingerprint)
        {
            return true;
        }

        var anchor = _caCertificate ?? FindAnchor(presentedChain);
        if (anchor is null || CertificateFingerprint.Of(anchor) != _fingerprint)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(anchor);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(ServerAuth);
        return chain.Build(certificate);
    }

    /// <summary>For <see cref="System.Net.Http.SocketsHttpHandler"/>'s SslOptions.</summary>
    public RemoteCertificateValidationCallback Callback =>
        (_, certificate, chain, _) => Validate(certificate as X509Certificate2 ?? (certificate is null ? null : new X509Certificate2(certificate)), chain);

    private X509Certificate2? FindAnchor(X509Chain? chain)
    {
        if (chain is null)
        {
            return null;
        }

        foreach (var element in chain.ChainElements)
        {
            if (CertificateFingerprint.Of(element.Certificate) == _fingerprint)
            {
                return element.Certificate;
            }
        }

        return null;
    }
}
