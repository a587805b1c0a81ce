using System.Security.Cryptography;

namespace Failsafe.Artifacts;

/// <summary>SHA-256 as 64 lowercase hex characters, the form every manifest and blob name uses.</summary>
public static class Sha256Hex
{
    public static string Of(ReadOnlySpan<byte> data) => Convert.ToHexStringLower(SHA256.HashData(data));

    public static async Task<string> OfFileAsync(string path, CancellationToken ct = default)
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        await using (stream)
        {
            return await OfStreamAsync(stream, ct);
        }
    }

    public static async Task<string> OfStreamAsync(Stream s, CancellationToken ct = default) =>
        Convert.ToHexStringLower(await SHA256.HashDataAsync(s, ct));
}
