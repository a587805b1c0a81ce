namespace Failsafe.Security;

/// <summary>An agent's certificate signing request that cannot be signed; the message says why in one line.</summary>
public sealed class CertificateRequestException : Exception
{
    public CertificateRequestException(string message)
        : base(message)
    {
    }

    public CertificateRequestException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public CertificateRequestException()
    {
    }
}
