using System.Security.Cryptography;

namespace Failsafe.Security;

/// <summary>
/// A one-time enrollment token: <c>fse1.&lt;secret&gt;.&lt;ca-fingerprint&gt;</c>. The secret proves the
/// agent may enroll; the fingerprint tells the agent which server to trust before it has ever
/// talked to it (the way kubeadm's discovery hash does).
/// </summary>
public sealed record EnrollmentToken(string Secret, string CaFingerprint)
{
    private const string Prefix = "fse1";

    public static EnrollmentToken Create(string caFingerprint) =>
        new(Base64Url(RandomNumberGenerator.GetBytes(32)), caFingerprint);

    public override string ToString() => $"{Prefix}.{Secret}.{CaFingerprint}";

    public static bool TryParse(string? text, out EnrollmentToken token)
    {
        token = null!;
        var parts = text?.Trim().Split('.');
        if (parts is not { Length: 3 } || parts[0] != Prefix || parts[1].Length < 32 || !CertificateFingerprint.IsWellFormed(parts[2]))
        {
            return false;
        }

        token = new EnrollmentToken(parts[1], parts[2]);
        return true;
    }

    internal static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
