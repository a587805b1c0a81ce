using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Failsafe.Security;

/// <summary>What an agent sends to enroll: a PKCS#10 request signed by a key that never leaves the host.</summary>
public static class CertificateSigningRequest
{
    public static string CreatePem(ECDsa key, string commonName)
    {
        var subject = new X500DistinguishedNameBuilder();
        subject.AddCommonName(commonName);
        var request = new CertificateRequest(subject.Build(), key, HashAlgorithmName.SHA256);
        return request.CreateSigningRequestPem();
    }
}
