using System.Collections.ObjectModel;
using System.Net.Security;
using System.Reflection;
using System.Security.Cryptography.X509Certificates;

namespace Failsafe.ControlPlane.Hosting;

/// <summary>
/// The certificates the server sends in the TLS handshake: its own and the CA's. Agents and the CLI
/// know only the CA's fingerprint before their first connection (it comes in the enrollment token),
/// so the CA certificate must travel in the handshake. .NET leaves a self-signed root out of what it
/// sends (SslStreamCertificateContext.Create trims it); we put it back.
/// </summary>
internal static class HandshakeChain
{
    private const string IntermediatesField = "<IntermediateCertificates>k__BackingField";

    public static SslStreamCertificateContext Create(X509Certificate2 serverCertificate, X509Certificate2 caCertificate)
    {
        var ca = X509CertificateLoader.LoadCertificate(caCertificate.RawData); // public part only
        var context = SslStreamCertificateContext.Create(serverCertificate, [ca], offline: true);
        if (context.IntermediateCertificates.Any(c => c.RawData.AsSpan().SequenceEqual(ca.RawData)))
        {
            return context;
        }

        var field = typeof(SslStreamCertificateContext).GetField(IntermediatesField, BindingFlags.Instance | BindingFlags.NonPublic);
        if (field?.FieldType != typeof(ReadOnlyCollection<X509Certificate2>))
        {
            throw new ServerStartupException(
                "This .NET runtime gives no way to send the CA certificate in the TLS handshake; pinned clients could not connect.");
        }

        field.SetValue(context, new ReadOnlyCollection<X509Certificate2>([.. context.IntermediateCertificates, ca]));
        return context;
    }
}
