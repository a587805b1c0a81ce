using System.Security.Cryptography;
using Failsafe.Contracts;
using Failsafe.ControlPlane.Api;
using Failsafe.ControlPlane.Hosting;
using Failsafe.ControlPlane.Storage;
using Failsafe.Security;

namespace Failsafe.ControlPlane.AgentProtocol;

/// <summary>
/// Trades a one-time enrollment token and a CSR for a client certificate signed by our CA. The token
/// and the answer name the trust anchor, which is our CA unless the operator gave the server's certificate.
/// </summary>
internal sealed class EnrollmentService(IDatabase database, CertificateAuthority authority, TrustAnchor anchor, TimeProvider time)
{
    public async Task<EnrollResponse> EnrollAsync(EnrollRequest request, string? remoteAddress, CancellationToken cancellationToken)
    {
        if (!AgentNames.IsValid(request.Name))
        {
            throw ApiProblemException.BadRequest(AgentNames.Rule);
        }

        if (!EnrollmentToken.TryParse(request.EnrollToken, out var token))
        {
            throw ApiProblemException.Unauthorized("The enrollment token is not valid.");
        }

        if (token.CaFingerprint != anchor.Fingerprint)
        {
            throw ApiProblemException.Unauthorized("This enrollment token was issued by another Failsafe server.");
        }

        var existing = await database.ReadAsync(s => AgentsStore.FindByNameAsync(s, request.Name), cancellationToken).ConfigureAwait(false);
        var agentId = existing?.Id ?? "a-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        using var certificate = Sign(request, agentId);
        var thumbprint = CertificateFingerprint.Of(certificate);
        var actor = new Actor(request.Name, remoteAddress);
        var hash = ApiToken.Hash(token.Secret);

        var denial = await database.WriteAsync(
            async session =>
            {
                var now = time.GetUtcNow();
                var record = await TokensStore.FindEnrollmentTokenAsync(session, hash).ConfigureAwait(false);
                var problem = record switch
                {
                    null => "The enrollment token is not valid.",
                    { UsedAt: not null } => "This enrollment token was already used.",
                    _ when record.ExpiresAt <= now => $"This enrollment token expired at {record.ExpiresAt:yyyy-MM-dd HH:mm:ss}Z; create a new one.",
                    _ => null,
                };
                if (problem is not null)
                {
                    // Only the refusal is recorded: no change was made.
                    await EventsStore.AppendAsync(session, now, actor, "agent.enroll", request.Name, problem, EventsStore.Denied).ConfigureAwait(false);
                    return problem;
                }

                var current = await AgentsStore.FindByNameAsync(session, request.Name).ConfigureAwait(false);
                if (current is null)
                {
                    await AgentsStore.AddAsync(session, agentId, request.Name, now).ConfigureAwait(false);
                }
                else if (current.Id != agentId)
                {
                    throw ApiProblemException.Conflict($"Agent {request.Name} enrolled at the same moment elsewhere; try again.");
                }

                await AgentsStore.ReplaceCertificateAsync(session, agentId, thumbprint, now, certificate.NotAfter.ToUniversalTime()).ConfigureAwait(false);
                await TokensStore.MarkEnrollmentTokenUsedAsync(session, hash, now, request.Name).ConfigureAwait(false);
                await EventsStore.AppendAsync(
                    session, now, actor, "agent.enroll", request.Name,
                    $"{(current is null ? "enrolled" : "enrolled again; earlier certificates revoked")}; agent {request.AgentVersion}, certificate {thumbprint}")
                    .ConfigureAwait(false);
                return null;
            },
            cancellationToken).ConfigureAwait(false);

        if (denial is not null)
        {
            throw ApiProblemException.Unauthorized(denial);
        }

        return new EnrollResponse(agentId, certificate.ExportCertificatePem(), anchor.Pem);
    }

    private System.Security.Cryptography.X509Certificates.X509Certificate2 Sign(EnrollRequest request, string agentId)
    {
        try
        {
            return authority.SignAgentCsr(request.CsrPem ?? string.Empty, request.Name, agentId);
        }
        catch (CertificateRequestException e)
        {
            throw ApiProblemException.BadRequest(e.Message);
        }
        catch (ArgumentException)
        {
            throw ApiProblemException.BadRequest("The certificate signing request is not valid PEM.");
        }
    }
}
