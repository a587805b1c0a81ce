using System.Text;

namespace Failsafe.DataPlane.Traffic;

/// <summary>
/// Keeps the raw request Connection header for the request being parsed.
/// </summary>
/// <remarks>
/// Kestrel rewrites a Connection header that holds exactly one of keep-alive / close / upgrade plus other
/// tokens: "keep-alive, X-Foo" reaches the application as "keep-alive", so the headers it names could not
/// be recognised as hop-by-hop. Kestrel decodes every header value through
/// KestrelServerOptions.RequestHeaderEncodingSelector; this encoding is selected for Connection only,
/// decodes like Latin-1 and remembers a value that lists several tokens in an AsyncLocal. Kestrel restores
/// a clean ExecutionContext before it parses each request of a connection, so a value never outlives its
/// request; values without a comma are left alone (Kestrel keeps those as they are).
/// </remarks>
internal sealed unsafe class ConnectionHeaderCapture : Encoding
{
    private static readonly AsyncLocal<string?> Raw = new();
    private static readonly ConnectionHeaderCapture Instance = new();

    private ConnectionHeaderCapture()
    {
    }

    /// <summary>The multi-token Connection header of the current request, or null.</summary>
    public static string? Current => Raw.Value;

    /// <summary>For KestrelServerOptions.RequestHeaderEncodingSelector; null keeps Kestrel's default.</summary>
    public static Encoding? Select(string headerName) =>
        headerName.Equals("Connection", StringComparison.OrdinalIgnoreCase) ? Instance : null;

    public override int GetByteCount(char[] chars, int index, int count) => Latin1.GetByteCount(chars, index, count);

    public override int GetBytes(char[] chars, int charIndex, int charCount, byte[] bytes, int byteIndex) =>
        Latin1.GetBytes(chars, charIndex, charCount, bytes, byteIndex);

    public override int GetCharCount(byte[] bytes, int index, int count) => count;

    public override int GetCharCount(byte* bytes, int count) => count;

    public override int GetCharCount(ReadOnlySpan<byte> bytes) => bytes.Length;

    public override int GetChars(byte[] bytes, int byteIndex, int byteCount, char[] chars, int charIndex) =>
        GetChars(bytes.AsSpan(byteIndex, byteCount), chars.AsSpan(charIndex));

    public override int GetChars(byte* bytes, int byteCount, char* chars, int charCount) =>
        GetChars(new ReadOnlySpan<byte>(bytes, byteCount), new Span<char>(chars, charCount));

    public override int GetChars(ReadOnlySpan<byte> bytes, Span<char> chars)
    {
        var written = Latin1.GetChars(bytes, chars);
        if (bytes.Contains((byte)','))
        {
            Raw.Value = new string(chars[..written]);
        }

        return written;
    }

    public override int GetMaxByteCount(int charCount) => charCount;

    public override int GetMaxCharCount(int byteCount) => byteCount;
}
