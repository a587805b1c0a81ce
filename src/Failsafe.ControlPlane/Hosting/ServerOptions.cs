using Failsafe.ControlPlane.Storage;

namespace Failsafe.ControlPlane.Hosting;

/// <summary>How <c>failsafe server</c> runs.</summary>
public sealed record ServerOptions
{
    public const string DefaultDataDirectory = "/var/lib/failsafe";
    public const string DefaultUrls = "https://0.0.0.0:7443";

    /// <summary>Holds failsafe.db, blobs/ and tls/. Created (mode 0700) when missing.</summary>
    public string DataDirectory { get; init; } = DefaultDataDirectory;

    /// <summary>
    /// The PostgreSQL database to keep the state in, as an Npgsql connection string
    /// (<c>Host=…;Port=…;Database=…;Username=…;Password=…</c>). Null or empty: the SQLite file in <see cref="DataDirectory"/>.
    /// Holds a password: never print it (<c>PostgresConnectionString.Redact</c>).
    /// </summary>
    public string? Store { get; init; }

    /// <summary>One or more https:// URLs separated by ';'. Port 0 picks a free port.</summary>
    public string Urls { get; init; } = DefaultUrls;

    /// <summary>Extra DNS names or IP addresses for the generated server certificate (localhost, loopback and the host name are always in).</summary>
    public IReadOnlyList<string> TlsSubjectAlternativeNames { get; init; } = [];

    /// <summary>
    /// PEM file of the server's own HTTPS certificate, then any intermediates (and its key, unless
    /// <see cref="TlsKeyFile"/> is set). Null: the server serves a certificate its own CA issues.
    /// </summary>
    public string? TlsCertificateFile { get; init; }

    /// <summary>PEM file of <see cref="TlsCertificateFile"/>'s private key (unencrypted), when it is not in that file.</summary>
    public string? TlsKeyFile { get; init; }

    /// <summary>
    /// PEM file of the CA that issued <see cref="TlsCertificateFile"/>, up to its self-signed root: agents and the CLI
    /// pin that root. Not needed when the certificate is self-signed (then it is pinned itself).
    /// </summary>
    public string? TlsCaFile { get; init; }

    /// <summary>
    /// The file of keys that seal secrets (mode 0600, made with one new key when missing). Null: <c>secrets.keys</c> in
    /// <see cref="DataDirectory"/>. Back it up apart from the database: without it the secrets cannot be read.
    /// </summary>
    public string? SecretKeyFile { get; init; }

    /// <summary>When set, the first admin token is also written to this file (mode 0600), for automation.</summary>
    public string? BootstrapTokenFile { get; init; }

    /// <summary>An agent that has not polled for this long is shown offline.</summary>
    public TimeSpan AgentOfflineAfter { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>A host task not completed within this time fails its host.</summary>
    public TimeSpan HostTaskTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Where the start-up banner goes (the admin token, addresses, CA fingerprint); standard output when null.</summary>
    public TextWriter? Output { get; init; }

    /// <summary>The clock; tests move it.</summary>
    internal TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>How long PostgreSQL may stay unreachable (at start, or restarting) before a store call fails.</summary>
    internal TimeSpan StoreConnectRetryLimit { get; init; } = PostgresDatabase.DefaultConnectRetryLimit;

    /// <summary>How often the orchestrator looks at running deployments when nothing wakes it sooner.</summary>
    internal TimeSpan OrchestratorInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>How long a replica holds a deployment it drives without renewing; another replica takes over after it.</summary>
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The record's generated text would hold <see cref="Store"/>'s password: name the database only.</summary>
    public override string ToString() =>
        $"ServerOptions {{ DataDirectory = {DataDirectory}, Store = {(string.IsNullOrEmpty(Store) ? "(SQLite)" : PostgresConnectionString.Redact(Store))}, Urls = {Urls} }}";
}
