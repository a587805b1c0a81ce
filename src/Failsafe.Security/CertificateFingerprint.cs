using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Failsafe.Security;

public static class CertificateFingerprint
{
    /// <summary>SHA-256 of the certificate's DER bytes, lowercase hex: what agents and the CLI pin.</summary>
    public static string Of(X509Certificate2 certificate) =>
        Convert.ToHexStringLower(SHA256.HashData(certificate.RawData));

    public static bool IsWellFormed(string? fingerprint) =>
        fingerprint is { Length: 64 } && fingerprint.All(char.IsAsciiHexDigitLower);
}
