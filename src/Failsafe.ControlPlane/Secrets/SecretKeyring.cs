using System.Security.Cryptography;
using System.Text;
using Failsafe.ControlPlane.Hosting;

namespace Failsafe.ControlPlane.Secrets;

/// <summary>
/// The keys that seal secrets, kept in a file of lines <c>KEY-ID BASE64-KEY</c>, newest last: the newest seals, every
/// one unseals. A rotation appends a key, re-seals every row, then drops the keys no row names any more; a crash between
/// those steps leaves a file that still holds every key a row names.
/// </summary>
internal sealed class SecretKeyring
{
    public const int KeySize = 32;

    private readonly Lock _gate = new();
    private List<SecretKey> _keys;
    private bool _endsCleanly;

    private SecretKeyring(string path, List<SecretKey> keys, bool endsCleanly)
    {
        FilePath = path;
        _keys = keys;
        _endsCleanly = endsCleanly;
    }

    public string FilePath { get; }

    /// <summary>The key that seals new values: the file's last.</summary>
    public SecretKey Current
    {
        get
        {
            lock (_gate)
            {
                return _keys[^1];
            }
        }
    }

    public IReadOnlyList<string> KeyIds
    {
        get
        {
            lock (_gate)
            {
                return _keys.Select(k => k.Id).ToList();
            }
        }
    }

    /// <summary>
    /// Loads the key file, or creates it (mode 0600, one new key) when it is missing and no secret needs a key yet.
    /// Refuses to start when a key a secret was sealed with is not in the file: the wrong file, or a lost one.
    /// </summary>
    public static SecretKeyring Open(string path, IReadOnlyCollection<string> keyIdsInUse)
    {
        path = Path.GetFullPath(path);
        if (!File.Exists(path))
        {
            if (keyIdsInUse.Count > 0)
            {
                throw new ServerStartupException(
                    $"The secret key file {path} does not exist, yet the database holds secrets sealed with key {string.Join(", ", keyIdsInUse)}: "
                    + "restore the file from a backup, or point --secret-key-file at it.");
            }

            var first = SecretKey.Create();
            try
            {
                DurableFile.Replace(path, Format([first]));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new ServerStartupException($"Cannot create the secret key file {path}: {e.Message}", e);
            }

            return new SecretKeyring(path, [first], endsCleanly: true);
        }

        var keyring = Load(path);
        var missing = keyIdsInUse.Where(id => keyring.Find(id, reload: false) is null).ToList();
        if (missing.Count > 0)
        {
            throw new ServerStartupException(
                $"The secret key file {path} does not hold key {string.Join(", ", missing)}, which sealed secrets in the database: "
                + "it is the wrong file, or an old copy. Start with the file that holds it.");
        }

        return keyring;
    }

    /// <summary>The key with this id, reading the file again when it is not known (another replica may have rotated).</summary>
    public SecretKey? Find(string id, bool reload = true)
    {
        lock (_gate)
        {
            if (_keys.Find(k => k.Id == id) is { } key)
            {
                return key;
            }

            if (!reload)
            {
                return null;
            }

            try
            {
                var (keys, endsCleanly) = Parse(FilePath, File.ReadAllText(FilePath));
                (_keys, _endsCleanly) = (keys, endsCleanly);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ServerStartupException)
            {
                return null;
            }

            return _keys.Find(k => k.Id == id);
        }
    }

    /// <summary>Makes a new key and appends it to the file, on disk (fsync) before it returns: from now on it seals.</summary>
    public SecretKey Add()
    {
        var key = SecretKey.Create();
        lock (_gate)
        {
            if (_endsCleanly)
            {
                DurableFile.Append(FilePath, Format([key]));
            }
            else
            {
                // A torn last line (a crash mid-append) would swallow the new one: write the whole file instead.
                DurableFile.Replace(FilePath, Format([.. _keys, key]));
            }

            _keys = [.. _keys, key];
            _endsCleanly = true;
        }

        return key;
    }

    /// <summary>Rewrites the file with only these keys (in their order) and the current one: the others seal nothing any more.</summary>
    public void Retain(IReadOnlyCollection<string> ids)
    {
        lock (_gate)
        {
            var current = _keys[^1];
            var kept = _keys.Where(k => k == current || ids.Contains(k.Id)).ToList();
            DurableFile.Replace(FilePath, Format(kept));
            _keys = kept;
            _endsCleanly = true;
        }
    }

    internal static SecretKeyring Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ServerStartupException($"Cannot read the secret key file {path}: {e.Message}", e);
        }

        var (keys, endsCleanly) = Parse(path, text);
        return new SecretKeyring(path, keys, endsCleanly);
    }

    private static (List<SecretKey> Keys, bool EndsCleanly) Parse(string path, string text)
    {
        var keys = new List<SecretKey>();
        var lines = text.Split('\n');
        var endsCleanly = text.Length == 0 || text.EndsWith('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var key = SecretKey.TryParse(line);
            if (key is null)
            {
                // The last line without its newline is an append cut short by a crash; no secret was sealed with it.
                if (i == lines.Length - 1 && !endsCleanly)
                {
                    continue;
                }

                throw new ServerStartupException(
                    $"The secret key file {path}, line {i + 1}, is not \"KEY-ID BASE64-KEY\" with a 256-bit key whose id is the first 12 hex digits of its SHA-256.");
            }

            keys.Add(key);
        }

        return keys.Count > 0 ? (keys, endsCleanly) : throw new ServerStartupException($"The secret key file {path} holds no key.");
    }

    private static string Format(IEnumerable<SecretKey> keys)
    {
        var text = new StringBuilder();
        foreach (var key in keys)
        {
            text.Append(key.Id).Append(' ').Append(Convert.ToBase64String(key.Material)).Append('\n');
        }

        return text.ToString();
    }
}

/// <summary>One 256-bit AES key and its id, the first 12 hex digits of its SHA-256.</summary>
internal sealed class SecretKey
{
    private SecretKey(byte[] material)
    {
        Material = material;
        Id = IdOf(material);
    }

    public string Id { get; }

    public byte[] Material { get; }

    public static SecretKey Create() => new(RandomNumberGenerator.GetBytes(SecretKeyring.KeySize));

    public static SecretKey? TryParse(string line)
    {
        var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 2)
        {
            return null;
        }

        var material = new byte[SecretKeyring.KeySize];
        if (!Convert.TryFromBase64String(parts[1], material, out var written) || written != SecretKeyring.KeySize)
        {
            return null;
        }

        return IdOf(material) == parts[0] ? new SecretKey(material) : null;
    }

    public static string IdOf(ReadOnlySpan<byte> material) => Convert.ToHexStringLower(SHA256.HashData(material))[..12];

    public override string ToString() => Id;
}
