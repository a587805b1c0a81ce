using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Failsafe.Contracts;
using Failsafe.Security;

namespace Failsafe.DataPlane;

/// <summary>
/// <c>&lt;root&gt;/agent/</c>: identity.json, agent.crt.pem, agent.key.pem (0600) and ca.pem.
/// identity.json is written last, so its presence means the other three are complete.
/// </summary>
internal sealed class AgentIdentityStore(HostPaths host)
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public string IdentityFile => Path.Combine(host.AgentDirectory, "identity.json");

    public string CertificateFile => Path.Combine(host.AgentDirectory, "agent.crt.pem");

    public string KeyFile => Path.Combine(host.AgentDirectory, "agent.key.pem");

    public string CaFile => Path.Combine(host.AgentDirectory, "ca.pem");

    public bool IsEnrolled => File.Exists(IdentityFile);

    /// <summary>The saved identity, or null when this agent has never enrolled.</summary>
    public AgentIdentity? TryLoad()
    {
        if (!File.Exists(IdentityFile))
        {
            return null;
        }

        AgentIdentity? identity;
        try
        {
            identity = JsonSerializer.Deserialize<AgentIdentity>(File.ReadAllText(IdentityFile), FailsafeJson.Options);
        }
        catch (JsonException e)
        {
            throw new AgentException($"{IdentityFile} is not valid JSON ({e.Message.ReplaceLineEndings(" ")}); remove {host.AgentDirectory} and enroll again.", e);
        }

        if (identity is null || string.IsNullOrEmpty(identity.AgentId) || !CertificateFingerprint.IsWellFormed(identity.CaFingerprint)
            || string.IsNullOrEmpty(identity.ServerUrl))
        {
            throw new AgentException($"{IdentityFile} is incomplete; remove {host.AgentDirectory} and enroll again.");
        }

        foreach (var file in new[] { CertificateFile, KeyFile, CaFile })
        {
            if (!File.Exists(file))
            {
                throw new AgentException($"{file} is missing; remove {host.AgentDirectory} and enroll again.");
            }
        }

        return identity;
    }

    public void Save(AgentIdentity identity, string certificatePem, string privateKeyPem, string caCertificatePem)
    {
        Directory.CreateDirectory(host.AgentDirectory);
        File.SetUnixFileMode(host.AgentDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        DurableFile.WriteAllText(KeyFile, privateKeyPem, OwnerOnly);
        DurableFile.WriteAllText(CertificateFile, certificatePem);
        DurableFile.WriteAllText(CaFile, caCertificatePem);
        DurableFile.WriteAllText(IdentityFile, JsonSerializer.Serialize(identity, FailsafeJson.Options));
    }

    /// <summary>
    /// The client certificate with its key. On Linux SslStream needs a key it can hand to OpenSSL,
    /// which an ephemeral PEM-loaded key is not, hence the PKCS#12 round trip.
    /// </summary>
    public X509Certificate2 LoadClientCertificate()
    {
        using var fromPem = X509Certificate2.CreateFromPemFile(CertificateFile, KeyFile);
        return X509CertificateLoader.LoadPkcs12(fromPem.Export(X509ContentType.Pkcs12), password: null);
    }

    public X509Certificate2 LoadCaCertificate() => X509Certificate2.CreateFromPem(File.ReadAllText(CaFile));
}
