using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Failsafe.ControlPlane.Tests.Infrastructure;

/// <summary>Certificates an operator might bring: a root, intermediates, server certificates for 127.0.0.1.</summary>
internal static class TestPki
{
    public static readonly Oid ServerAuth = new("1.3.6.1.5.5.7.3.1");
    public static readonly Oid ClientAuth = new("1.3.6.1.5.5.7.3.2");

    public static X509Certificate2 Root(string commonName)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = CaRequest(commonName, key);
        var now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(now.AddYears(-1), now.AddYears(1));
    }

    public static X509Certificate2 Intermediate(X509Certificate2 issuer, string commonName)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = CaRequest(commonName, key);
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, true, false));
        var now = DateTimeOffset.UtcNow;
        using var issued = request.Create(issuer, now.AddDays(-1), now.AddMonths(6), Serial());
        return issued.CopyWithPrivateKey(key);
    }

    /// <summary>A server certificate for 127.0.0.1 with an RSA key, issued by <paramref name="issuer"/>.</summary>
    public static X509Certificate2 RsaServer(X509Certificate2 issuer, Oid? usage = null, DateTimeOffset? notAfter = null)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=failsafe.test", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        AddServerExtensions(request, usage ?? ServerAuth);
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, true, false));
        var now = DateTimeOffset.UtcNow;
        var end = notAfter ?? now.AddMonths(3);
        using var issuerKey = issuer.GetECDsaPrivateKey()!;
        using var issued = request.Create(issuer.SubjectName, X509SignatureGenerator.CreateForECDsa(issuerKey), end.AddMonths(-3).AddDays(-1), end, Serial());
        return issued.CopyWithPrivateKey(key);
    }

    /// <summary>A self-signed server certificate for 127.0.0.1 with an ECDSA key, not a CA: what <c>openssl req -x509</c> makes.</summary>
    public static X509Certificate2 SelfSignedServer()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=failsafe.test self-signed", key, HashAlgorithmName.SHA256);
        AddServerExtensions(request, ServerAuth);
        var now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(now.AddDays(-1), now.AddMonths(3));
    }

    public static string Pem(params X509Certificate2[] certificates) => string.Concat(certificates.Select(c => c.ExportCertificatePem() + "\n"));

    /// <summary>The key as PKCS#8 (<c>BEGIN PRIVATE KEY</c>), or for ECDSA optionally as SEC1 (<c>BEGIN EC PRIVATE KEY</c>).</summary>
    public static string KeyPem(X509Certificate2 certificate, bool sec1 = false)
    {
        if (certificate.GetRSAPrivateKey() is { } rsa)
        {
            using (rsa)
            {
                return rsa.ExportPkcs8PrivateKeyPem() + "\n";
            }
        }

        using var ecdsa = certificate.GetECDsaPrivateKey()!;
        return (sec1 ? ecdsa.ExportECPrivateKeyPem() : ecdsa.ExportPkcs8PrivateKeyPem()) + "\n";
    }

    /// <summary>True when <paramref name="certificate"/> chains to <paramref name="root"/> and nothing else.</summary>
    public static bool ChainsTo(X509Certificate2 certificate, X509Certificate2 root)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(root);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }

    private static CertificateRequest CaRequest(string commonName, ECDsa key)
    {
        var request = new CertificateRequest("CN=" + commonName, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request;
    }

    private static void AddServerExtensions(CertificateRequest request, Oid usage)
    {
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([usage], false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
    }

    private static byte[] Serial()
    {
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        serial[0] |= 0x01;
        return serial;
    }
}
