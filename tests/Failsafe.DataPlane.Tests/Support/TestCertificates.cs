using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Failsafe.DataPlane.Tests;

/// <summary>A throwaway CA and the certificates it issues, as the server's CA would.</summary>
internal sealed class TestCertificates : IDisposable
{
    private readonly ECDsa _caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public TestCertificates()
    {
        var request = new CertificateRequest("CN=Failsafe Test CA", _caKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        var now = TimeProvider.System.GetUtcNow();
        Ca = request.CreateSelfSigned(now.AddMinutes(-5), now.AddYears(1));
    }

    public X509Certificate2 Ca { get; }

    public string CaPem => Ca.ExportCertificatePem();

    /// <summary>A certificate for <paramref name="publicKeyOf"/>, with client or server authentication usage.</summary>
    public X509Certificate2 Issue(ECDsa publicKeyOf, string commonName, bool server = false, string? dnsName = null)
    {
        var request = new CertificateRequest($"CN={commonName}", publicKeyOf, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid(server ? "1.3.6.1.5.5.7.3.1" : "1.3.6.1.5.5.7.3.2")], true));
        if (dnsName is not null)
        {
            var san = new SubjectAlternativeNameBuilder();
            san.AddDnsName(dnsName);
            san.AddIpAddress(System.Net.IPAddress.Loopback);
            request.CertificateExtensions.Add(san.Build());
        }

        var now = TimeProvider.System.GetUtcNow();
        return request.Create(Ca, now.AddMinutes(-5), now.AddDays(30), RandomNumberGenerator.GetBytes(16));
    }

    public void Dispose()
    {
        Ca.Dispose();
        _caKey.Dispose();
    }
}
