using System.Security.Claims;
using System.Text.Encodings.Web;
using Failsafe.ControlPlane.Storage;
using Failsafe.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Failsafe.ControlPlane.Auth;

/// <summary>
/// Agents are their client certificates. TLS has already proven the certificate chains to our CA;
/// here it must also belong to an enrolled agent and not have been replaced since.
/// </summary>
internal sealed class AgentCertificateHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, IDatabase database)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var certificate = Context.Connection.ClientCertificate;
        if (certificate is null)
        {
            return AuthenticateResult.NoResult();
        }

        var thumbprint = CertificateFingerprint.Of(certificate);
        var agent = await database.ReadAsync(s => AgentsStore.FindByCertificateAsync(s, thumbprint), Context.RequestAborted).ConfigureAwait(false);
        if (agent is null)
        {
            return AuthenticateResult.Fail("unknown or revoked agent certificate");
        }

        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, agent.Name), new Claim(AuthSchemes.AgentIdClaim, agent.Id), new Claim(AuthSchemes.KindClaim, "agent")],
            Scheme.Name);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name));
    }

    // Without a certificate the caller is unknown (401); with one we do not accept, it is known and refused (403).
    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        Context.Connection.ClientCertificate is null
            ? UnauthorizedResponse.UnauthorizedAsync(Context)
            : UnauthorizedResponse.ForbiddenAsync(Context);

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) => UnauthorizedResponse.ForbiddenAsync(Context);
}
