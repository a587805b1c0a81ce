using System.Net;
using System.Security.Cryptography.X509Certificates;
using Failsafe.Security;

namespace Failsafe.ControlPlane.Hosting;

/// <summary>
/// The CA and the server certificate in <c>DIR/tls</c>: made at the first start, reused after. The
/// server certificate is made again when it nears its end or lacks a name the options ask for. When the
/// operator gives the server's certificate, that one is served and its CA is the trust anchor; our CA
/// still signs (and checks) every agent's client certificate.
/// </summary>
internal sealed class TlsMaterial : IDisposable
{
    private static readonly TimeSpan RenewBefore = TimeSpan.FromDays(30);

    private TlsMaterial(CertificateAuthority authority, X509Certificate2 serverCertificate, X509Certificate2Collection serverCertificateChain, TrustAnchor anchor)
    {
        Authority = authority;
        ServerCertificate = serverCertificate;
        ServerCertificateChain = serverCertificateChain;
        Anchor = anchor;
    }

    /// <summary>Our own CA: it signs agents' client certificates, and the handshake accepts no other.</summary>
    public CertificateAuthority Authority { get; }

    public X509Certificate2 ServerCertificate { get; }

    /// <summary>The intermediates sent after <see cref="ServerCertificate"/>; empty for the certificate our CA issues.</summary>
    public X509Certificate2Collection ServerCertificateChain { get; }

    /// <summary>What clients pin.</summary>
    public TrustAnchor Anchor { get; }

    public static TlsMaterial LoadOrCreate(string tlsDirectory, IEnumerable<string> extraNames, ProvidedServerCertificate? provided, TimeProvider time)
    {
        var caCert = Path.Combine(tlsDirectory, "ca.crt.pem");
        var caKey = Path.Combine(tlsDirectory, "ca.key.pem");
        var serverCert = Path.Combine(tlsDirectory, "server.crt.pem");
        var serverKey = Path.Combine(tlsDirectory, "server.key.pem");

        CertificateAuthority authority;
        if (File.Exists(caCert) && File.Exists(caKey))
        {
            try
            {
                authority = CertificateAuthority.FromPem(File.ReadAllText(caCert), File.ReadAllText(caKey), time);
            }
            catch (Exception e) when (e is System.Security.Cryptography.CryptographicException or ArgumentException)
            {
                throw new ServerStartupException($"Cannot read the CA in {tlsDirectory}: {e.Message}", e);
            }
        }
        else
        {
            authority = CertificateAuthority.Create($"Failsafe CA {Dns.GetHostName()}", time);
            SecretFile.Write(caKey, authority.ExportPrivateKeyPem());
            SecretFile.Write(caCert, authority.CertificatePem, secret: false);
            File.Delete(serverCert); // a new CA makes any old server certificate useless
        }

        if (provided is not null)
        {
            return new TlsMaterial(authority, provided.Certificate, provided.Intermediates, new TrustAnchor(provided.Anchor));
        }

        var names = RequiredNames(extraNames);
        var server = TryLoad(serverCert, serverKey);
        if (server is null || !authority.IsServerCertificate(server) || server.NotAfter.ToUniversalTime() - time.GetUtcNow().UtcDateTime < RenewBefore || !Covers(server, names))
        {
            server?.Dispose();
            server = authority.IssueServerCertificate(names);
            using var key = server.GetECDsaPrivateKey()!;
            SecretFile.Write(serverKey, key.ExportPkcs8PrivateKeyPem());
            SecretFile.Write(serverCert, server.ExportCertificatePem(), secret: false);
        }

        return new TlsMaterial(authority, server, [], new TrustAnchor(authority.Certificate));
    }

    public void Dispose()
    {
        ServerCertificate.Dispose();
        Authority.Dispose();
        Anchor.Dispose();
    }

    private static List<string> RequiredNames(IEnumerable<string> extraNames)
    {
        var names = new List<string> { "localhost", "127.0.0.1", "::1", Dns.GetHostName() };
        names.AddRange(extraNames.Select(n => n.Trim()).Where(n => n.Length > 0));
        return names.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
    }

    private static X509Certificate2? TryLoad(string certPath, string keyPath)
    {
        if (!File.Exists(certPath) || !File.Exists(keyPath))
        {
            return null;
        }

        try
        {
            return X509Certificate2.CreateFromPem(File.ReadAllText(certPath), File.ReadAllText(keyPath));
        }
        catch (Exception e) when (e is System.Security.Cryptography.CryptographicException or ArgumentException)
        {
            return null;
        }
    }

    private static bool Covers(X509Certificate2 certificate, IEnumerable<string> names)
    {
        var san = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().FirstOrDefault();
        if (san is null)
        {
            return false;
        }

        var dns = san.EnumerateDnsNames().ToHashSet(StringComparer.OrdinalIgnoreCase);
        var ips = san.EnumerateIPAddresses().ToHashSet();
        return names.All(n => IPAddress.TryParse(n.Trim('[', ']'), out var ip) ? ips.Contains(ip) : dns.Contains(n));
    }
}
