using System.Text.Json;
using Failsafe.Cli;
using Failsafe.Contracts;
using Failsafe.Security;

namespace Failsafe.Client;

/// <summary>
/// Where the server is and how to trust it. Taken from options first, then the environment
/// (FAILSAFE_SERVER, FAILSAFE_TOKEN, FAILSAFE_CA_FINGERPRINT), then the file `failsafe login` wrote.
/// </summary>
internal sealed record ConnectionSettings(string ServerUrl, string Token, string CaFingerprint)
{
    public static string ConfigPath =>
        Path.Combine(Environment.GetEnvironmentVariable("XDG_CONFIG_HOME") is { Length: > 0 } xdg
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config"), "failsafe", "cli.json");

    public static ConnectionSettings Resolve(string? server, string? token, string? fingerprint)
    {
        var saved = Load();
        server ??= Environment.GetEnvironmentVariable("FAILSAFE_SERVER") ?? saved?.ServerUrl;
        token ??= Environment.GetEnvironmentVariable("FAILSAFE_TOKEN") ?? saved?.Token;
        fingerprint ??= Environment.GetEnvironmentVariable("FAILSAFE_CA_FINGERPRINT") ?? saved?.CaFingerprint;

        if (string.IsNullOrWhiteSpace(server))
        {
            throw new UserException("No server given: pass --server https://host:7443, set FAILSAFE_SERVER, or run 'failsafe login'.");
        }

        if (!Uri.TryCreate(server, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps)
        {
            throw new UserException($"Server address '{server}' is not valid: use https://host:port.");
        }

        if (string.IsNullOrWhiteSpace(token))
        {
            throw new UserException("No API token given: pass --token, set FAILSAFE_TOKEN, or run 'failsafe login'.");
        }

        fingerprint = fingerprint?.Trim().ToLowerInvariant().Replace(":", "", StringComparison.Ordinal);
        if (!CertificateFingerprint.IsWellFormed(fingerprint))
        {
            throw new UserException("No valid CA fingerprint given: pass --ca-fingerprint (the 64 hex characters the server printed), set FAILSAFE_CA_FINGERPRINT, or run 'failsafe login'.");
        }

        return new ConnectionSettings(server.TrimEnd('/'), token.Trim(), fingerprint!);
    }

    public void Save()
    {
        var path = ConfigPath;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = path + ".tmp";
        File.Delete(temp);

        // Created 0600 from the first byte: the file holds the token.
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite };
        using (var writer = new StreamWriter(temp, options))
        {
            writer.Write(JsonSerializer.Serialize(this, FailsafeJson.Options));
        }

        File.Move(temp, path, overwrite: true);
    }

    private static ConnectionSettings? Load()
    {
        var path = ConfigPath;
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<ConnectionSettings>(File.ReadAllText(path), FailsafeJson.Options);
        }
        catch (JsonException e)
        {
            throw new UserException($"{path} is not valid JSON ({e.Message}); run 'failsafe login' again.");
        }
    }
}
