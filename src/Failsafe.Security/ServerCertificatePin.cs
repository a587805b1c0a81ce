using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Failsafe.Security;

/// <summary>
/// Trusts exactly one server: the one whose certificate, meant for a TLS server, chains to the
/// pinned CA. The CA certificate comes from <see cref="ServerCaBootstrap"/> (or a saved copy)
/// and must have the pinned fingerprint. The system's trust store plays no part; the
/// intermediates the server sends beside its own certificate only fill the path to the pinned CA
/// (they are never trusted themselves), and a certificate the CA issued to an agent (client EKU
/// only) is not a server.
/// </summary>
public sealed class ServerCertificatePin
{
    private static readonly Oid ServerAuth = new("1.3.6.1.5.5.7.3.1");
    private readonly X509Certificate2 _caCertificate;

    public ServerCertificatePin(string fingerprint, X509Certificate2 caCertificate)
    {
        ArgumentNullException.ThrowIfNull(caCertificate);
        if (!CertificateFingerprint.IsWellFormed(fingerprint))
        {
            throw new ArgumentException("A certificate fingerprint is 64 lowercase hex characters (SHA-256).", nameof(fingerprint));
        }

        if (CertificateFingerprint.Of(caCertificate) != fingerprint)
        {
            throw new ArgumentException("The CA certificate does not have the pinned fingerprint.", nameof(caCertificate));
        }

        Fingerprint = fingerprint;
        _caCertificate = caCertificate;
    }

    public string Fingerprint { get; }

    /// <summary>
    /// True when <paramref name="certificate"/> is a TLS server certificate issued by the pinned CA and valid now,
    /// directly or through <paramref name="intermediates"/> (what the server sent beside its certificate).
    /// </summary>
    public bool Validate(X509Certificate2? certificate, X509Certificate2Collection? intermediates = null)
    {
        if (certificate is null)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(_caCertificate);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(ServerAuth);
        if (intermediates is not null)
        {
            chain.ChainPolicy.ExtraStore.AddRange(intermediates);
        }

        return chain.Build(certificate);
    }

    /// <summary>
    /// For <see cref="System.Net.Http.SocketsHttpHandler"/>'s SslOptions. SslStream puts the certificates the
    /// server sent beside its own in the chain's ExtraStore: they are the intermediates.
    /// The certificate must also name the address dialled: with a CA of the operator's own (--tls-ca), every
    /// server certificate that CA ever issued would otherwise pass for this server.
    /// </summary>
    public RemoteCertificateValidationCallback Callback => (_, certificate, chain, errors) => certificate switch
    {
        null => false,
        _ when (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0 => false,
        X509Certificate2 certificate2 => Validate(certificate2, chain?.ChainPolicy.ExtraStore),
        _ => ValidateCopy(certificate, chain?.ChainPolicy.ExtraStore),
    };

    private bool ValidateCopy(X509Certificate certificate, X509Certificate2Collection? intermediates)
    {
        using var copy = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        return Validate(copy, intermediates);
    }
}
