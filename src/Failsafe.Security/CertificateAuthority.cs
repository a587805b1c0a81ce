using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Failsafe.Security;

/// <summary>
/// The server's own certificate authority: it signs the server's TLS certificate and every
/// agent's client certificate, so trust is exactly "issued by this CA" and nothing else.
/// </summary>
public sealed class CertificateAuthority : IDisposable
{
    private static readonly Oid ServerAuth = new("1.3.6.1.5.5.7.3.1", "Server Authentication");
    private static readonly Oid ClientAuth = new("1.3.6.1.5.5.7.3.2", "Client Authentication");
    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    private readonly TimeProvider _time;

    private CertificateAuthority(X509Certificate2 certificate, TimeProvider time)
    {
        Certificate = certificate;
        Fingerprint = CertificateFingerprint.Of(certificate);
        _time = time;
    }

    /// <summary>The CA certificate, with its private key.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>SHA-256 of the CA certificate: what agents and the CLI pin.</summary>
    public string Fingerprint { get; }

    public string CertificatePem => Certificate.ExportCertificatePem();

    public static CertificateAuthority Create(string commonName = "Failsafe CA", TimeProvider? time = null)
    {
        time ??= TimeProvider.System;
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(Subject(commonName), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = time.GetUtcNow();
        var certificate = request.CreateSelfSigned(now - ClockSkew, now.AddYears(10));
        return new CertificateAuthority(certificate, time);
    }

    public static CertificateAuthority FromPem(string certificatePem, string privateKeyPem, TimeProvider? time = null) =>
        new(X509Certificate2.CreateFromPem(certificatePem, privateKeyPem), time ?? TimeProvider.System);

    public string ExportPrivateKeyPem()
    {
        using var key = Certificate.GetECDsaPrivateKey() ?? throw new InvalidOperationException("The CA certificate has no private key.");
        return key.ExportPkcs8PrivateKeyPem();
    }

    /// <summary>A TLS server certificate (serverAuth only) for the given DNS names and IP addresses, with its private key.</summary>
    public X509Certificate2 IssueServerCertificate(IEnumerable<string> subjectAlternativeNames, TimeSpan? validity = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(Subject("failsafe-server"), key, HashAlgorithmName.SHA256);
        var sans = new SubjectAlternativeNameBuilder();
        foreach (var name in subjectAlternativeNames.Where(n => !string.IsNullOrWhiteSpace(n)).Distinct(StringComparer.OrdinalIgnoreCase))
        {
            if (IPAddress.TryParse(name.Trim('[', ']'), out var ip))
            {
                sans.AddIpAddress(ip);
            }
            else
            {
                sans.AddDnsName(name);
            }
        }

        request.CertificateExtensions.Add(sans.Build());
        AddLeafExtensions(request, ServerAuth);
        using var issued = Sign(request, validity ?? TimeSpan.FromDays(2 * 365));
        return issued.CopyWithPrivateKey(key);
    }

    /// <summary>
    /// Signs an agent's certificate request: clientAuth only, one year, CN = the agent's name,
    /// a random serial. The request's own signature must verify (the agent holds the key).
    /// </summary>
    public X509Certificate2 SignAgentCsr(string csrPem, string agentName, string agentId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(agentName);
        ArgumentException.ThrowIfNullOrWhiteSpace(agentId);
        CertificateRequest presented;
        try
        {
            presented = CertificateRequest.LoadSigningRequestPem(
                csrPem, HashAlgorithmName.SHA256, CertificateRequestLoadOptions.Default, RSASignaturePadding.Pkcs1);
        }
        catch (CryptographicException e)
        {
            throw new CertificateRequestException("The certificate signing request is not valid: " + e.Message, e);
        }

        var request = new CertificateRequest(Subject(agentName), presented.PublicKey, HashAlgorithmName.SHA256);
        var sans = new SubjectAlternativeNameBuilder();
        sans.AddUri(new Uri("urn:failsafe:agent:" + Uri.EscapeDataString(agentId)));
        request.CertificateExtensions.Add(sans.Build());
        AddLeafExtensions(request, ClientAuth);

        // As long as the CA itself: there is no renewal call yet, and an agent whose certificate lapsed
        // would drop out of the fleet on its anniversary. Revocation is by thumbprint in the database.
        return Sign(request, Certificate.NotAfter - _time.GetUtcNow());
    }

    /// <summary>True when the certificate chains to this CA, is valid now and is meant for client authentication.</summary>
    public bool IsAgentCertificate(X509Certificate2? certificate) => Chains(certificate, ClientAuth);

    /// <summary>True when the certificate chains to this CA, is valid now and is meant for a TLS server.</summary>
    public bool IsServerCertificate(X509Certificate2? certificate) => Chains(certificate, ServerAuth);

    public void Dispose() => Certificate.Dispose();

    private bool Chains(X509Certificate2? certificate, Oid usage)
    {
        if (certificate is null || !HasOnlyUsage(certificate, usage))
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(Certificate);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(usage);
        chain.ChainPolicy.VerificationTime = _time.GetUtcNow().UtcDateTime;
        chain.ChainPolicy.VerificationTimeIgnored = false;
        if (!chain.Build(certificate))
        {
            return false;
        }

        var root = chain.ChainElements[^1].Certificate;
        return CertificateFingerprint.Of(root) == Fingerprint;
    }

    private static bool HasOnlyUsage(X509Certificate2 certificate, Oid usage)
    {
        var eku = certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().SingleOrDefault();
        return eku is not null && eku.EnhancedKeyUsages.Count == 1 && eku.EnhancedKeyUsages[0].Value == usage.Value;
    }

    private void AddLeafExtensions(CertificateRequest request, Oid usage)
    {
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([usage], false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Certificate, true, false));
    }

    private X509Certificate2 Sign(CertificateRequest request, TimeSpan validity)
    {
        var now = _time.GetUtcNow();
        var notAfter = now + validity;
        if (notAfter > Certificate.NotAfter)
        {
            notAfter = Certificate.NotAfter;
        }

        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F; // a positive serial number
        serial[0] |= 0x01; // and never a shorter encoding
        return request.Create(Certificate, now - ClockSkew, notAfter, serial);
    }

    private static X500DistinguishedName Subject(string commonName)
    {
        var builder = new X500DistinguishedNameBuilder();
        builder.AddCommonName(commonName);
        return builder.Build();
    }
}
