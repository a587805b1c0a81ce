namespace Failsafe.ControlPlane.Hosting;

/// <summary>The layout of the server's data folder.</summary>
internal sealed class DataDirectory
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    public DataDirectory(string root)
    {
        Root = Path.GetFullPath(root);
        try
        {
            Directory.CreateDirectory(Root, OwnerOnly);
            Directory.CreateDirectory(Tls, OwnerOnly);
            Directory.CreateDirectory(Blobs);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ServerStartupException($"Cannot use the data directory {Root}: {e.Message}", e);
        }
    }

    public string Root { get; }

    public string Database => Path.Combine(Root, "failsafe.db");

    public string Blobs => Path.Combine(Root, "blobs");

    public string Tls => Path.Combine(Root, "tls");

    /// <summary>The keys that seal secrets, unless <c>--secret-key-file</c> names another file.</summary>
    public string SecretKeys => Path.Combine(Root, "secrets.keys");
}
