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

        // Enrollment is open to anyone: a token we never issued is refused from a read, before any
        // signing or writing, so a flood of made-up tokens costs little and does not grow the audit trail.
        var hash = ApiToken.Hash(token.Secret);
        var (record, existing) = await database.ReadAsync(
            async s => (await TokensStore.FindEnrollmentTokenAsync(s, hash).ConfigureAwait(false),
                        await AgentsStore.FindByNameAsync(s, request.Name).ConfigureAwait(false)),
            cancellationToken).ConfigureAwait(false);
        if (record is null)
        {
            throw ApiProblemException.Unauthorized("The enrollment token is not valid.");
        }

        var actor = new Actor(request.Name, remoteAddress);
        if (Refusal(record, existing, request.Name, time.GetUtcNow()) is { } early)
        {
            await database.WriteAsync(
                s => EventsStore.AppendAsync(s, time.GetUtcNow(), actor, "agent.enroll", request.Name, early.Message, EventsStore.Denied),
                cancellationToken).ConfigureAwait(false);
            throw early;
        }

        var agentId = existing?.Id ?? "a-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        using var certificate = Sign(request, agentId);
        var thumbprint = CertificateFingerprint.Of(certificate);

        var denial = await database.WriteAsync(
            async session =>
            {
                // Checked again under the write lock: the token or the name may have been taken meanwhile.
                var now = time.GetUtcNow();
                var current = await AgentsStore.FindByNameAsync(session, request.Name).ConfigureAwait(false);
                var latest = await TokensStore.FindEnrollmentTokenAsync(session, hash).ConfigureAwait(false) ?? record;
                if (Refusal(latest, current, request.Name, now) is { } problem)
                {
                    // Only the refusal is recorded: no change was made, and the token stays unspent.
                    await EventsStore.AppendAsync(session, now, actor, "agent.enroll", request.Name, problem.Message, EventsStore.Denied).ConfigureAwait(false);
                    return problem;
                }

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
                    $"{(current is null ? "enrolled" : "replaced; earlier certificates revoked")}; agent {request.AgentVersion}, certificate {thumbprint}")
                    .ConfigureAwait(false);
                return null;
            },
            cancellationToken).ConfigureAwait(false);

        if (denial is not null)
        {
            throw denial;
        }

        return new EnrollResponse(agentId, certificate.ExportCertificatePem(), anchor.Pem);
    }

    /// <summary>
    /// Why this real token may not enroll <paramref name="name"/>, or null. An enrolled name is only ever
    /// taken over with a token made to replace exactly that name, so a token for a new host cannot
    /// hijack an existing one.
    /// </summary>
    private static ApiProblemException? Refusal(EnrollmentTokenRecord token, AgentRecord? enrolled, string name, DateTimeOffset now) => token switch
    {
        { UsedAt: not null } => ApiProblemException.Unauthorized("This enrollment token was already used."),
        _ when token.ExpiresAt <= now => ApiProblemException.Unauthorized($"This enrollment token expired at {token.ExpiresAt:yyyy-MM-dd HH:mm:ss}Z; create a new one."),
        { Replaces: { } target } when target != name => ApiProblemException.Unauthorized(
            $"This enrollment token may only replace the agent {target}, not enroll {name}."),
        _ when enrolled is not null && token.Replaces != name => ApiProblemException.Conflict(
            $"Host {name} is already enrolled; to replace it (a re-imaged host), create a token with 'failsafe agent-token create --replace {name}'."),
        _ => null,
    };

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
