using System.Text;

namespace Failsafe.Demo;

/// <summary>A secret as it could leak: its bytes, and its base64 in every common alphabet (standard, unpadded, URL-safe).</summary>
internal static class SecretNeedles
{
    public static IReadOnlyList<string> For(string secret)
    {
        var base64 = Convert.ToBase64String(Encoding.UTF8.GetBytes(secret));
        return new[] { secret, base64, base64.TrimEnd('='), base64.TrimEnd('=').Replace('+', '-').Replace('/', '_') }.Distinct().ToList();
    }

    public static IEnumerable<string> Search(string where, string text, IReadOnlyList<string> needles) =>
        needles.Where(n => text.Contains(n, StringComparison.Ordinal)).Select(n => $"{where} holds {(n == needles[0] ? "the secret" : "its base64")}");

    /// <summary>Every file under the folder, as bytes (a database page is no text).</summary>
    public static IEnumerable<string> SearchFolder(string folder, IReadOnlyList<string> needles)
    {
        if (!Directory.Exists(folder))
        {
            yield break;
        }

        var patterns = needles.Select(Encoding.UTF8.GetBytes).ToList();
        foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
        {
            byte[] bytes;
            try
            {
                bytes = File.ReadAllBytes(file);
            }
            catch (IOException)
            {
                continue;
            }

            for (var i = 0; i < patterns.Count; i++)
            {
                if (bytes.AsSpan().IndexOf(patterns[i]) >= 0)
                {
                    yield return $"{file} holds {(i == 0 ? "the secret" : "its base64")}";
                }
            }
        }
    }
}
