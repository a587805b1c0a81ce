using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Failsafe.ControlPlane.Hosting;

/// <summary>
/// The HTTPS certificate the operator gives (<c>--tls-cert</c>, <c>--tls-key</c>, <c>--tls-ca</c>), checked
/// at start the way agents and the CLI will check it, so that a mistake stops the server with one line
/// instead of failing every handshake later.
/// </summary>
internal sealed class ProvidedServerCertificate
{
    private const string ServerAuth = "1.3.6.1.5.5.7.3.1";
    private const string RsaKey = "1.2.840.113549.1.1.1";
    private const string EcKey = "1.2.840.10045.2.1";
    private static readonly string[] KeyLabels = ["PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY", "ENCRYPTED PRIVATE KEY"];

    private ProvidedServerCertificate(X509Certificate2 certificate, X509Certificate2Collection intermediates, X509Certificate2 anchor)
    {
        Certificate = certificate;
        Intermediates = intermediates;
        Anchor = anchor;
    }

    /// <summary>The server's certificate, with its private key.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>Sent in the handshake after <see cref="Certificate"/>: every certificate of the files that is not self-signed.</summary>
    public X509Certificate2Collection Intermediates { get; }

    /// <summary>What clients pin: the root from <c>--tls-ca</c>, or the certificate itself when it is self-signed.</summary>
    public X509Certificate2 Anchor { get; }

    /// <exception cref="ServerStartupException">A file is missing or unreadable, or the certificate would not be trusted by clients.</exception>
    public static ProvidedServerCertificate Load(string certificateFile, string? keyFile, string? caFile, TimeProvider time)
    {
        var certificatePem = Read("--tls-cert", certificateFile);
        var certificates = Certificates("--tls-cert", certificateFile, certificatePem);
        var authorities = caFile is null ? [] : Certificates("--tls-ca", caFile, Read("--tls-ca", caFile));
        var leaf = WithKey(certificates[0], certificateFile, keyFile, keyFile is null ? certificatePem : Read("--tls-key", keyFile));

        var now = time.GetUtcNow().UtcDateTime;
        if (leaf.NotAfter.ToUniversalTime() < now)
        {
            throw new ServerStartupException($"The certificate in '{certificateFile}' expired on {leaf.NotAfter.ToUniversalTime():yyyy-MM-dd HH:mm:ss}Z.");
        }

        if (leaf.NotBefore.ToUniversalTime() > now)
        {
            throw new ServerStartupException($"The certificate in '{certificateFile}' is not valid before {leaf.NotBefore.ToUniversalTime():yyyy-MM-dd HH:mm:ss}Z.");
        }

        if (leaf.Extensions.OfType<X509EnhancedKeyUsageExtension>().FirstOrDefault() is { } eku
            && !eku.EnhancedKeyUsages.Cast<Oid>().Any(o => o.Value == ServerAuth))
        {
            throw new ServerStartupException($"The certificate in '{certificateFile}' is not meant for a TLS server: its extended key usage lacks serverAuth.");
        }

        var intermediates = new X509Certificate2Collection(certificates.Skip(1).Concat(authorities).Where(c => !IsSelfSigned(c)).ToArray());
        List<X509Certificate2> roots;
        if (caFile is null)
        {
            roots = IsSelfSigned(leaf)
                ? [leaf]
                : throw new ServerStartupException(
                    $"--tls-cert is issued by '{leaf.Issuer}'; give that CA's certificate with --tls-ca so agents and the CLI can pin it.");
        }
        else
        {
            roots = [.. authorities.Where(IsSelfSigned)];
            if (roots.Count == 0)
            {
                throw new ServerStartupException(
                    $"--tls-ca file '{caFile}' holds no self-signed root CA: add the certificate of '{authorities[0].Issuer}' and any above it; agents and the CLI pin the root.");
            }
        }

        var anchor = ChainToRoot(leaf, intermediates, roots, now, certificateFile, caFile);
        return new ProvidedServerCertificate(leaf, intermediates, anchor);
    }

    /// <summary>The checks <see cref="Security.ServerCertificatePin"/> makes on the client: our roots only, serverAuth, intermediates as sent.</summary>
    private static X509Certificate2 ChainToRoot(
        X509Certificate2 leaf, X509Certificate2Collection intermediates, List<X509Certificate2> roots, DateTime now, string certificateFile, string? caFile)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots.ToArray());
        chain.ChainPolicy.ExtraStore.AddRange(intermediates);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(new Oid(ServerAuth));
        chain.ChainPolicy.VerificationTime = now;
        chain.ChainPolicy.VerificationTimeIgnored = false;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        if (chain.Build(leaf))
        {
            var top = chain.ChainElements[^1].Certificate.RawData;
            return roots.First(r => r.RawData.AsSpan().SequenceEqual(top));
        }

        var outdated = chain.ChainElements.FirstOrDefault(e => e.ChainElementStatus.Any(s => s.Status == X509ChainStatusFlags.NotTimeValid));
        if (outdated is not null)
        {
            throw new ServerStartupException($"The CA certificate '{outdated.Certificate.Subject}' that '{certificateFile}' chains to is expired or not yet valid.");
        }

        if (chain.ChainStatus.Any(s => s.Status == X509ChainStatusFlags.NotValidForUsage))
        {
            throw new ServerStartupException($"The chain of '{certificateFile}' is not valid for a TLS server: a CA in it is limited to other uses than serverAuth.");
        }

        throw caFile is null
            ? new ServerStartupException($"--tls-cert is issued by '{leaf.Issuer}'; give that CA's certificate with --tls-ca so agents and the CLI can pin it.")
            : new ServerStartupException($"--tls-cert '{certificateFile}' is not issued by the CA in --tls-ca '{caFile}'.");
    }

    private static string Read(string flag, string path)
    {
        if (!File.Exists(path))
        {
            throw new ServerStartupException($"{flag} file '{path}' does not exist.");
        }

        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ServerStartupException($"Cannot read the {flag} file '{path}': {e.Message}", e);
        }
    }

    private static List<X509Certificate2> Certificates(string flag, string path, string pem)
    {
        var certificates = new X509Certificate2Collection();
        try
        {
            certificates.ImportFromPem(pem);
        }
        catch (CryptographicException e)
        {
            throw new ServerStartupException($"{flag} file '{path}' holds a PEM certificate that cannot be read.", e);
        }

        return certificates.Count > 0 ? [.. certificates] : throw new ServerStartupException($"{flag} file '{path}' holds no PEM certificate.");
    }

    private static X509Certificate2 WithKey(X509Certificate2 certificate, string certificateFile, string? keyFile, string keyText)
    {
        var source = keyFile ?? certificateFile;
        var keyPem = FindKey(keyText) ?? throw new ServerStartupException(keyFile is null
            ? $"--tls-cert file '{certificateFile}' holds no private key: give it with --tls-key."
            : $"--tls-key file '{keyFile}' holds no PEM private key.");
        if (keyPem.Contains("ENCRYPTED", StringComparison.Ordinal))
        {
            throw new ServerStartupException($"The private key in '{source}' is encrypted: give it unencrypted, in a file only the server's user can read.");
        }

        try
        {
            switch (certificate.GetKeyAlgorithm())
            {
                case RsaKey:
                    using (var rsa = RSA.Create())
                    {
                        rsa.ImportFromPem(keyPem);
                        return certificate.CopyWithPrivateKey(rsa);
                    }

                case EcKey:
                    using (var ecdsa = ECDsa.Create())
                    {
                        ecdsa.ImportFromPem(keyPem);
                        return certificate.CopyWithPrivateKey(ecdsa);
                    }

                default:
                    throw new ServerStartupException($"The certificate in '{certificateFile}' has neither an RSA nor an ECDSA key; Failsafe serves only those.");
            }
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            throw new ServerStartupException($"The private key in '{source}' does not match the certificate in '{certificateFile}'.", e);
        }
    }

    /// <summary>The first private key block of <paramref name="pem"/>, whatever else the file holds (certificates, say).</summary>
    private static string? FindKey(string pem)
    {
        var offset = 0;
        while (offset < pem.Length && PemEncoding.TryFind(pem.AsSpan(offset), out var fields))
        {
            var block = pem.AsSpan(offset);
            if (KeyLabels.Contains(block[fields.Label].ToString()))
            {
                return block[fields.Location].ToString();
            }

            offset += fields.Location.End.GetOffset(block.Length);
        }

        return null;
    }

    /// <summary>Issued by itself; whether its signature really is its own is then proven by building its chain.</summary>
    private static bool IsSelfSigned(X509Certificate2 certificate) =>
        certificate.SubjectName.RawData.AsSpan().SequenceEqual(certificate.IssuerName.RawData);
}
