using System.Security.Claims;
using System.Text.Encodings.Web;
using Failsafe.ControlPlane.Storage;
using Failsafe.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Failsafe.ControlPlane.Auth;

/// <summary><c>Authorization: Bearer fsk1_…</c>, looked up by hash; a revoked token is no token.</summary>
internal sealed class ApiTokenHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, IDatabase database)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    private const string BearerPrefix = "Bearer ";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (header is null || !header.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.NoResult();
        }

        var token = header[BearerPrefix.Length..].Trim();
        if (token.Length == 0 || token.Length > 200)
        {
            return AuthenticateResult.Fail("invalid token");
        }

        var hash = ApiToken.Hash(token);
        var record = await database.ReadAsync(s => TokensStore.FindApiTokenAsync(s, hash), Context.RequestAborted).ConfigureAwait(false);
        if (record is null)
        {
            return AuthenticateResult.Fail("invalid token");
        }

        var identity = new ClaimsIdentity(
            [
                new Claim(ClaimTypes.Name, record.Name), new Claim(AuthSchemes.KindClaim, record.Kind),
                .. record.Roles.Select(role => new Claim(ClaimTypes.Role, role)),
            ],
            Scheme.Name);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) => UnauthorizedResponse.UnauthorizedAsync(Context);

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) => UnauthorizedResponse.ForbiddenAsync(Context);
}
