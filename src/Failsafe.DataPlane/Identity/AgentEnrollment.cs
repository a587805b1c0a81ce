using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Failsafe.Contracts;
using Failsafe.Security;
using Microsoft.Extensions.Logging;

namespace Failsafe.DataPlane;

/// <summary>
/// First start: trade the one-time enrollment token for a client certificate. The key is made
/// here and never leaves the host (only a CSR does); the server is trusted by the CA
/// fingerprint inside the token. Later starts just load what was saved.
/// </summary>
internal sealed class AgentEnrollment(AgentIdentityStore store, AgentOptions options, TimeProvider time, ILogger<AgentEnrollment> logger)
{
    private static readonly TimeSpan RetryInitial = TimeSpan.FromSeconds(0.5);
    private static readonly TimeSpan RetryMax = TimeSpan.FromSeconds(30);

    public async Task<AgentIdentity> EnsureEnrolledAsync(CancellationToken cancellationToken)
    {
        if (store.TryLoad() is { } identity)
        {
            if (!string.IsNullOrWhiteSpace(options.EnrollToken))
            {
                Log.EnrollTokenIgnored(logger, identity.Name, identity.AgentId);
            }

            return identity;
        }

        var token = ParseToken(options.EnrollToken);
        var server = ServerConnection.ParseServerUrl(options.ServerUrl);
        var name = AgentOptions.ValidName(options.Name);

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var subject = new X500DistinguishedNameBuilder();
        subject.AddCommonName(name);
        var csr = new CertificateRequest(subject.Build(), key, HashAlgorithmName.SHA256).CreateSigningRequestPem();
        var request = new EnrollRequest(name, token.ToString(), csr, InventoryReader.AgentVersion);

        var response = await SendAsync(server, token, request, cancellationToken).ConfigureAwait(false);
        CheckResponse(response, token, key);

        identity = new AgentIdentity(response.AgentId, name, server.ToString(), token.CaFingerprint);
        store.Save(identity, response.CertificatePem, key.ExportPkcs8PrivateKeyPem(), response.CaCertificatePem);
        Log.Enrolled(logger, name, response.AgentId, server.ToString());
        return identity;
    }

    public static EnrollmentToken ParseToken(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new AgentException("This agent is not enrolled yet: give it an enrollment token (fse1.…) created on the server.");
        }

        return EnrollmentToken.TryParse(text, out var token)
            ? token
            : throw new AgentException("The enrollment token is not valid: it has the form fse1.<secret>.<64 hex characters>; copy it again from the server.");
    }

    private async Task<EnrollResponse> SendAsync(Uri server, EnrollmentToken token, EnrollRequest request, CancellationToken cancellationToken)
    {
        ServerConnection? connection = null;
        var backoff = new Backoff(RetryInitial, RetryMax, Random.Shared);
        try
        {
            while (true)
            {
                try
                {
                    connection ??= await ConnectAsync(server, token, cancellationToken).ConfigureAwait(false);
                    using var response = await connection.Http.PostAsJsonAsync(AgentRoutes.Enroll, request, FailsafeJson.Options, cancellationToken).ConfigureAwait(false);
                    await ServerErrors.EnsureSuccessAsync(response, "enrollment", cancellationToken).ConfigureAwait(false);
                    return await response.Content.ReadFromJsonAsync<EnrollResponse>(FailsafeJson.Options, cancellationToken).ConfigureAwait(false)
                        ?? throw new AgentException("Enrollment failed: the server sent an empty answer.");
                }
                catch (ServerRefusedException e) when (e.IsPermanent)
                {
                    throw new AgentException($"Enrollment refused: {e.Message}", e);
                }
                catch (HttpRequestException e) when (ServerErrors.IsTrustFailure(e))
                {
                    throw new AgentException(
                        $"Enrollment stopped: the server at {server} did not present a certificate from the CA pinned in the token ({token.CaFingerprint[..16]}…).", e);
                }
                catch (Exception e) when (e is HttpRequestException or ServerRefusedException
                    || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested))
                {
                    var delay = backoff.Next();
                    if (backoff.Failures == 1)
                    {
                        Log.EnrollRetrying(logger, server.ToString(), ServerErrors.Describe(e));
                    }

                    await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            connection?.Dispose();
        }
    }

    /// <summary>Fetches the CA named by the token's fingerprint; a server that is down is retried by the caller, a wrong one is not.</summary>
    private static async Task<ServerConnection> ConnectAsync(Uri server, EnrollmentToken token, CancellationToken cancellationToken)
    {
        try
        {
            return await ServerConnection.ForEnrollmentAsync(server, token.CaFingerprint, cancellationToken).ConfigureAwait(false);
        }
        catch (ServerTrustException e)
        {
            throw new AgentException($"Enrollment stopped: {e.Message}", e);
        }
        catch (HttpRequestException e) when (e.StatusCode is { } status && ServerErrors.IsPermanent(status))
        {
            throw new AgentException($"Enrollment stopped: {e.Message}; is {server} a Failsafe server of this version?", e);
        }
    }

    private static void CheckResponse(EnrollResponse response, EnrollmentToken token, ECDsa key)
    {
        X509Certificate2 ca, certificate;
        try
        {
            ca = X509Certificate2.CreateFromPem(response.CaCertificatePem);
            certificate = X509Certificate2.CreateFromPem(response.CertificatePem);
        }
        catch (CryptographicException e)
        {
            throw new AgentException("Enrollment failed: the server sent a certificate that cannot be read.", e);
        }

        using (ca)
        using (certificate)
        {
            if (CertificateFingerprint.Of(ca) != token.CaFingerprint)
            {
                throw new AgentException("Enrollment failed: the CA certificate the server sent is not the one pinned in the token.");
            }

            using var publicKey = certificate.GetECDsaPublicKey();
            if (publicKey is null || !publicKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(key.ExportSubjectPublicKeyInfo()))
            {
                throw new AgentException("Enrollment failed: the certificate the server sent is not for this agent's key.");
            }

            if (string.IsNullOrEmpty(response.AgentId))
            {
                throw new AgentException("Enrollment failed: the server sent no agent id.");
            }
        }
    }
}
