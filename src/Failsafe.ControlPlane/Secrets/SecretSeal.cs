using System.Security.Cryptography;
using System.Text;

namespace Failsafe.ControlPlane.Secrets;

/// <summary>
/// AES-256-GCM over a secret's value, stored as base64 of nonce | ciphertext | tag. The associated data binds the
/// environment, name and version, so a row copied over another (or an old version restored) does not unseal.
/// </summary>
internal static class SecretSeal
{
    private const int NonceSize = 12;
    private const int TagSize = 16;

    public static string Seal(SecretKey key, SecretAddress address, string value)
    {
        var plain = Encoding.UTF8.GetBytes(value);
        var sealedBytes = new byte[NonceSize + plain.Length + TagSize];
        var nonce = sealedBytes.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(key.Material, TagSize);
        aes.Encrypt(nonce, plain, sealedBytes.AsSpan(NonceSize, plain.Length), sealedBytes.AsSpan(NonceSize + plain.Length), AssociatedData(address));
        CryptographicOperations.ZeroMemory(plain);
        return Convert.ToBase64String(sealedBytes);
    }

    /// <summary>The value, or a <see cref="CryptographicException"/> when the row was altered, moved or sealed with another key.</summary>
    public static string Unseal(SecretKey key, SecretAddress address, string sealedText)
    {
        byte[] sealedBytes;
        try
        {
            sealedBytes = Convert.FromBase64String(sealedText);
        }
        catch (FormatException e)
        {
            throw new CryptographicException("The sealed value is not base64.", e);
        }

        if (sealedBytes.Length < NonceSize + TagSize)
        {
            throw new CryptographicException("The sealed value is too short.");
        }

        var plain = new byte[sealedBytes.Length - NonceSize - TagSize];
        using var aes = new AesGcm(key.Material, TagSize);
        aes.Decrypt(
            sealedBytes.AsSpan(0, NonceSize), sealedBytes.AsSpan(NonceSize, plain.Length), sealedBytes.AsSpan(NonceSize + plain.Length), plain,
            AssociatedData(address));
        var value = Encoding.UTF8.GetString(plain);
        CryptographicOperations.ZeroMemory(plain);
        return value;
    }

    private static byte[] AssociatedData(SecretAddress address) =>
        Encoding.UTF8.GetBytes($"failsafe-secret/v1\0{address.Environment}\0{address.Name}\0{address.Version}");
}

/// <summary>Which row a sealed value belongs to.</summary>
internal sealed record SecretAddress(string Environment, string Name, int Version);
