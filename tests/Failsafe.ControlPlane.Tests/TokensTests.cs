using System.Net;
using Failsafe.Contracts;
using Failsafe.ControlPlane.Tests.Infrastructure;
using Failsafe.Security;
using Failsafe.Tests.Common;

namespace Failsafe.ControlPlane.Tests;

/// <summary>Named API tokens with roles, made by an admin through the real API.</summary>
public sealed class TokensTests
{
    [Fact]
    public async Task CreateToken_AsAdmin_TokenWorks_WithItsRolesAndKind_ShownOnceAndStoredAsHash()
    {
        using var data = new TempDirectory("fs-tokens");
        await using var server = await TestServer.StartAsync(data.Path);
        using var admin = server.Admin();

        var created = await (await admin.PostJsonAsync(ApiRoutes.Tokens, new CreateApiToken("alice", ["release-managers", "dba", "dba"])))
            .ReadAsync<ApiTokenCreated>();
        using var alice = server.Client(created.Token);
        var me = await alice.GetJsonAsync<WhoAmI>(ApiRoutes.Whoami);

        Assert.StartsWith(ApiToken.Prefix, created.Token, StringComparison.Ordinal);
        Assert.Equal(("alice", false), (created.Name, created.Admin));
        Assert.Equal(["release-managers", "dba"], created.Roles);
        Assert.Equal(("alice", "user"), (me.Name, me.Kind));
        Assert.Equal(["release-managers", "dba"], me.Roles!);
        Assert.Equal(("admin", "admin"), ((await admin.GetJsonAsync<WhoAmI>(ApiRoutes.Whoami)).Name, (await admin.GetJsonAsync<WhoAmI>(ApiRoutes.Whoami)).Kind));
        Assert.DoesNotContain(created.Token, await File.ReadAllTextAsync(data.Combine("failsafe.db")), StringComparison.Ordinal);
        var e = (await admin.GetJsonAsync<List<EventInfo>>(ApiRoutes.Events)).First(e => e.Action == "token.create" && e.Target == "token/alice");
        Assert.Equal(("admin", "not admin; roles: release-managers, dba"), (e.Actor, e.Detail));
    }

    [Fact]
    public async Task CreateToken_NonAdmin_Forbidden_ButAnAdminMadeOneMay()
    {
        using var data = new TempDirectory("fs-tokens");
        await using var server = await TestServer.StartAsync(data.Path);
        using var admin = server.Admin();
        var bob = await (await admin.PostJsonAsync(ApiRoutes.Tokens, new CreateApiToken("bob"))).ReadAsync<ApiTokenCreated>();
        var ops = await (await admin.PostJsonAsync(ApiRoutes.Tokens, new CreateApiToken("ops", Admin: true))).ReadAsync<ApiTokenCreated>();
        using var bobClient = server.Client(bob.Token);
        using var opsClient = server.Client(ops.Token);

        var refused = await bobClient.PostJsonAsync(ApiRoutes.Tokens, new CreateApiToken("mallory", Admin: true));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal("Only an admin token may create tokens.", (await refused.ReadErrorAsync()).Error);

        var made = await (await opsClient.PostJsonAsync(ApiRoutes.Tokens, new CreateApiToken("carol"))).ReadAsync<ApiTokenCreated>();
        Assert.Equal("admin", (await opsClient.GetJsonAsync<WhoAmI>(ApiRoutes.Whoami)).Kind);
        Assert.Equal("carol", (await server.Client(made.Token).GetJsonAsync<WhoAmI>(ApiRoutes.Whoami)).Name);
    }

    [Fact]
    public async Task CreateToken_NameTakenOrInvalid_RefusedWithOneSentence()
    {
        using var data = new TempDirectory("fs-tokens");
        await using var server = await TestServer.StartAsync(data.Path);
        using var admin = server.Admin();

        var taken = await admin.PostJsonAsync(ApiRoutes.Tokens, new CreateApiToken("admin"));
        Assert.Equal(HttpStatusCode.Conflict, taken.StatusCode);
        Assert.Equal("A token named admin exists already; pick another name.", (await taken.ReadErrorAsync()).Error);

        var badName = await admin.PostJsonAsync(ApiRoutes.Tokens, new CreateApiToken("Alice Smith"));
        Assert.Equal(HttpStatusCode.BadRequest, badName.StatusCode);
        Assert.StartsWith("A token name is 1 to 63", (await badName.ReadErrorAsync()).Error, StringComparison.Ordinal);

        var badRole = await admin.PostJsonAsync(ApiRoutes.Tokens, new CreateApiToken("alice", ["role:x"]));
        Assert.StartsWith("Role 'role:x' is not valid", (await badRole.ReadErrorAsync()).Error, StringComparison.Ordinal);
    }
}
