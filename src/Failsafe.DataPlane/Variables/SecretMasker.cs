using System.Text;

namespace Failsafe.DataPlane;

/// <summary>
/// Replaces secret values with <c>***</c> in text that leaves the agent: step output, task errors, log lines. Each
/// value is masked as written and in base64 (standard and URL-safe), since tools print secrets encoded as often as
/// plain. Base64 forms are masked for values of 4 characters or more only: shorter encodings match too much text.
/// </summary>
internal sealed class SecretMasker
{
    public const string Mask = "***";
    private const int MinimumEncodedLength = 4;

    private readonly Lock _lock = new();
    private string[] _needles = [];

    /// <summary>Masks these values from now on (empty ones are ignored: there is nothing to hide).</summary>
    public void Add(IEnumerable<string> secrets)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        lock (_lock)
        {
            var needles = new HashSet<string>(_needles, StringComparer.Ordinal);
            foreach (var secret in secrets.Where(s => s.Length > 0))
            {
                needles.Add(secret);
                if (secret.Length >= MinimumEncodedLength)
                {
                    var base64 = Convert.ToBase64String(Encoding.UTF8.GetBytes(secret));
                    needles.Add(base64);
                    needles.Add(base64.TrimEnd('='));
                    needles.Add(base64.TrimEnd('=').Replace('+', '-').Replace('/', '_'));
                }
            }

            // Longest first, so a value that contains another is masked whole.
            _needles = [.. needles.OrderByDescending(n => n.Length).ThenBy(n => n, StringComparer.Ordinal)];
        }
    }

    public bool IsEmpty => _needles.Length == 0;

    public string? Apply(string? text)
    {
        var needles = _needles;
        if (text is null || needles.Length == 0)
        {
            return text;
        }

        foreach (var needle in needles)
        {
            text = text.Replace(needle, Mask, StringComparison.Ordinal);
        }

        return text;
    }
}
