using System.CommandLine;
using Failsafe.ControlPlane.Hosting;

namespace Failsafe.Cli;

internal static class ServerCommand
{
    public static Command Create()
    {
        var data = new Option<string>("--data") { Description = "Folder for the database, blobs and TLS material.", DefaultValueFactory = _ => "failsafe-data" };
        var urls = new Option<string>("--urls") { Description = "HTTPS addresses to listen on, separated by ';'.", DefaultValueFactory = _ => "https://0.0.0.0:7443" };
        var san = new Option<string[]>("--tls-san") { Description = "Extra DNS names or IP addresses for the generated server certificate.", AllowMultipleArgumentsPerToken = true };
        var tlsCert = new Option<string?>("--tls-cert") { Description = "Serve this HTTPS certificate (PEM: the certificate, then any intermediates, and its key unless --tls-key) instead of a generated one." };
        var tlsKey = new Option<string?>("--tls-key") { Description = "PEM private key of --tls-cert, when it is not in that file." };
        var tlsCa = new Option<string?>("--tls-ca") { Description = "PEM of the CA that issued --tls-cert (up to its root): agents and the CLI pin it. Not needed for a self-signed --tls-cert." };
        var tokenFile = new Option<string?>("--bootstrap-token-file") { Description = "Also write the first admin token to this file (mode 0600), for automation." };
        var store = new Option<string?>("--store")
        {
            Description = "Keep the state in this PostgreSQL database (\"Host=…;Database=…;Username=…;Password=…\"; or set FAILSAFE_STORE, "
                + "which keeps the password out of the process list) instead of the SQLite file in --data.",
        };
        var lease = new Option<string?>("--lease") { Description = "With replicas on one PostgreSQL: how long a replica holds the deployments it drives (default 10s); another takes over after it." };
        var secretKeyFile = new Option<string?>("--secret-key-file")
        {
            Description = "The file of keys that seal secrets (made, mode 0600, when missing; default: secrets.keys in --data). Back it up apart from the database.",
        };
        var command = new Command("server", "Run the control plane: API, orchestrator, store and blobs.")
        {
            data, urls, san, tlsCert, tlsKey, tlsCa, tokenFile, store, lease, secretKeyFile,
        };
        command.SetAction((result, ct) => ServerHost.RunAsync(
            new ServerOptions
            {
                DataDirectory = Path.GetFullPath(result.GetValue(data)!),
                Urls = result.GetValue(urls)!,
                TlsSubjectAlternativeNames = result.GetValue(san) ?? [],
                TlsCertificateFile = result.GetValue(tlsCert),
                TlsKeyFile = result.GetValue(tlsKey),
                TlsCaFile = result.GetValue(tlsCa),
                BootstrapTokenFile = result.GetValue(tokenFile),
                Store = result.GetValue(store) ?? Environment.GetEnvironmentVariable("FAILSAFE_STORE"),
                LeaseDuration = result.GetValue(lease) is { } leaseText ? LeaseOf(leaseText) : TimeSpan.FromSeconds(10),
                SecretKeyFile = result.GetValue(secretKeyFile) is { } keyFile ? Path.GetFullPath(keyFile) : null,
            },
            ct));
        return command;
    }

    /// <summary>A lease shorter than a second would change hands on almost every tick.</summary>
    private static TimeSpan LeaseOf(string text) =>
        RolloutOptions.Duration(text, "--lease") is { TotalSeconds: >= 1 } lease
            ? lease
            : throw new UserException($"--lease: '{text}' is too short; give at least 1s (default 10s).");
}
