using System.Net;
using Failsafe.Contracts;
using Failsafe.ControlPlane.Tests.Infrastructure;
using static Failsafe.ControlPlane.Tests.Configuration.SampleConfig;

namespace Failsafe.ControlPlane.Tests.Configuration;

/// <summary>Deploying to an environment: hosts from its groups, settings and variables from failsafe.yaml, the lifecycle's
/// order and the approval gate, all checked before any host is touched.</summary>
public sealed class EnvironmentDeploymentTests
{
    private static async Task<Fleet> StartAsync(ConfigDocument document)
    {
        var fleet = await Fleet.StartAsync(agents: 3);
        fleet["host-2"].Tags.Add("stage");
        await fleet.ReportAllAsync();
        await fleet.PushAsync("hello", "1.2.0");
        (await fleet.Admin.PostJsonAsync(ApiRoutes.ConfigApply, new ConfigRequest(document))).EnsureSuccessStatusCode();
        return fleet;
    }

    private static async Task FinishAsync(Fleet fleet, DeploymentInfo deployment)
    {
        foreach (var host in deployment.Hosts)
        {
            (await fleet[host.Host].CompleteAsync(await fleet[host.Host].NextTaskAsync())).EnsureSuccessStatusCode();
        }

        await fleet.WaitAsync(deployment.Id, d => d.State == DeploymentStates.Succeeded, "success");
    }

    [Fact]
    public async Task Staging_ReachesItsGroupByNameAndByTag_WithTheServiceSettingsAndEachHostsVariables()
    {
        await using var fleet = await StartAsync(Document(Hello(
            Value("GREETING", "hello"),
            Value("GREETING", "hi staging", environment: "staging"),
            Value("GREETING", "hi host-2", host: "host-2"))));

        var deployment = await fleet.DeployAsync(new CreateDeployment("hello", "1.2.0", Environment: "staging"));
        Assert.Equal(("staging", DeploymentStates.Running), (deployment.Environment, deployment.State));
        Assert.Equal(["host-1", "host-2"], deployment.Hosts.Select(h => h.Host));

        var first = await fleet["host-1"].NextTaskAsync();
        Assert.Equal((3, 4, 90, "staging"), (first.Settings.KeepReleases, first.Settings.DrainTimeoutSeconds, first.Settings.HookTimeoutSeconds, first.Settings.Environment));
        Assert.Equal(["appsettings.json"], first.Settings.Substitute!);
        Assert.Equal("hi staging", first.Settings.Variables!["GREETING"]);
        (await fleet["host-1"].CompleteAsync(first)).EnsureSuccessStatusCode();
        var second = await fleet["host-2"].NextTaskAsync();
        Assert.Equal("hi host-2", second.Settings.Variables!["GREETING"]);
    }

    [Fact]
    public async Task AVariableTheTargetLacks_IsRefusedBeforeAnyHostIsTouched_NamingVariableAndScope()
    {
        await using var fleet = await StartAsync(Document(Hello(Value("DB_URL", "postgres://prod", environment: "prod"))));
        var response = await fleet.Admin.PostJsonAsync(ApiRoutes.Deployments, new CreateDeployment("hello", "1.2.0", Environment: "staging"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(
            "hello 1.2.0 cannot deploy to staging: variable DB_URL has no value for host host-1 in environment staging (host groups staging-web): "
            + "it is set only for environment prod. variable DB_URL has no value for host host-2 in environment staging (host groups staging-web): "
            + "it is set only for environment prod. No host was touched.",
            (await response.ReadErrorAsync()).Error);
        Assert.Empty(await fleet.Admin.GetJsonAsync<List<DeploymentInfo>>(ApiRoutes.Deployments));
        Assert.Empty(await fleet["host-1"].PollAsync());
    }

    [Fact]
    public async Task ASecretNotSetInTheEnvironment_IsRefusedBeforeAnyHostIsTouched()
    {
        await using var fleet = await StartAsync(Document(Hello(Secret("TOKEN", "api-token"))));
        var response = await fleet.Admin.PostJsonAsync(ApiRoutes.Deployments, new CreateDeployment("hello", "1.2.0", Environment: "staging"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(
            "hello 1.2.0 cannot deploy to staging: variable TOKEN uses secret api-token, which is not set in environment staging "
            + "(failsafe secret set api-token --env staging). No host was touched.",
            (await response.ReadErrorAsync()).Error);
    }

    [Fact]
    public async Task Prod_OnlyAfterStaging_ThenWaitsForAnApproverOtherThanItsCreator()
    {
        await using var fleet = await StartAsync(Document());
        var early = await fleet.Admin.PostJsonAsync(ApiRoutes.PromotionsFor("hello"), new PromoteRequest("1.2.0", "prod"));
        Assert.Equal(HttpStatusCode.Conflict, early.StatusCode);
        Assert.Equal(
            "hello 1.2.0 cannot go to prod yet: lifecycle default runs staging → prod, and 1.2.0 has not succeeded in staging.",
            (await early.ReadErrorAsync()).Error);

        // Without --to, promote goes to the lifecycle's first phase the release has not passed.
        var staging = await (await fleet.Admin.PostJsonAsync(ApiRoutes.PromotionsFor("hello"), new PromoteRequest("1.2.0"))).ReadAsync<DeploymentInfo>();
        Assert.Equal("staging", staging.Environment);
        await FinishAsync(fleet, staging);

        var prod = await (await fleet.Admin.PostJsonAsync(ApiRoutes.PromotionsFor("hello"), new PromoteRequest("1.2.0"))).ReadAsync<DeploymentInfo>();
        Assert.Equal(("prod", DeploymentStates.AwaitingApproval), (prod.Environment, prod.State));
        Assert.Null(prod.Hosts.Single().PreviousRelease);
        await Task.Delay(300);
        // While it waits, host-3 comes to run a release (by hand, say): a rollback must go back to that one.
        fleet["host-3"].Runs("hello", "0.9.0-aaaaaaaaaaaa");
        Assert.Empty(await fleet["host-3"].PollAsync());
        var waiting = await fleet.Admin.GetJsonAsync<ServiceStatus>(ApiRoutes.ServiceStatusFor("hello"));
        Assert.Equal([prod.Id], waiting.AwaitingApproval!.Select(d => d.Id));

        var own = await fleet.Admin.PostJsonAsync(ApiRoutes.ApproveFor(prod.Id), new ApproveRequest());
        Assert.Equal(HttpStatusCode.Forbidden, own.StatusCode);
        Assert.Equal(
            "admin started d-2; someone else must approve it (1 approval from alice, role:release-managers).",
            (await own.ReadErrorAsync()).Error);

        using var bob = fleet.Server.Client(await CreateTokenAsync(fleet, "bob"));
        var notAllowed = await bob.PostJsonAsync(ApiRoutes.ApproveFor(prod.Id), new ApproveRequest());
        Assert.Equal(HttpStatusCode.Forbidden, notAllowed.StatusCode);
        Assert.Equal(
            "bob may not approve deployments to prod: its gate needs 1 approval from alice, role:release-managers.",
            (await notAllowed.ReadErrorAsync()).Error);

        using var carol = fleet.Server.Client(await CreateTokenAsync(fleet, "carol", "release-managers"));
        var approved = await (await carol.PostJsonAsync(ApiRoutes.ApproveFor(prod.Id), new ApproveRequest("looks good"))).ReadAsync<DeploymentInfo>();
        Assert.Equal(DeploymentStates.Running, approved.State);
        Assert.Equal([("carol", "looks good")], approved.Approvals!.Select(a => (a.By, a.Comment)));
        Assert.Equal("0.9.0-aaaaaaaaaaaa", approved.Hosts.Single().PreviousRelease);
        await FinishAsync(fleet, approved);

        var events = await fleet.Admin.GetJsonAsync<List<EventInfo>>(ApiRoutes.Events + $"?target={prod.Id}&limit=100");
        Assert.Contains(events, e => e.Action == "deployment.approve" && e.Actor == "carol" && e.Detail == "approved by carol (1 of 1): looks good");
        Assert.Contains(events, e => e.Action == "deployment.running" && e.Actor == "carol");

        var done = await fleet.Admin.PostJsonAsync(ApiRoutes.PromotionsFor("hello"), new PromoteRequest("1.2.0"));
        Assert.Equal("hello 1.2.0 has already reached prod, the last phase of lifecycle default.", (await done.ReadErrorAsync()).Error);
    }

    [Fact]
    public async Task AbortingADeploymentThatAwaitsApproval_CancelsIt_WithoutTouchingAHost()
    {
        await using var fleet = await StartAsync(Document() with { Lifecycles = [] });
        var prod = await fleet.DeployAsync(new CreateDeployment("hello", "1.2.0", Environment: "prod"));
        Assert.Equal(DeploymentStates.AwaitingApproval, prod.State);
        var aborted = await (await fleet.Admin.PostAsync(ApiRoutes.DeploymentActionFor(prod.Id, DeploymentActions.Abort), null)).ReadAsync<DeploymentInfo>();
        Assert.Equal(DeploymentStates.Cancelled, aborted.State);
        Assert.Empty(await fleet["host-3"].PollAsync());
    }

    [Fact]
    public async Task TwoEnvironments_DeployAtOnce_ButNotTwiceToOne()
    {
        await using var fleet = await StartAsync(Document() with { Lifecycles = [], Environments = [.. Document().Environments.Select(e => e with { Approval = null })] });
        await fleet.DeployAsync(new CreateDeployment("hello", "1.2.0", Environment: "staging"));
        var prod = await fleet.DeployAsync(new CreateDeployment("hello", "1.2.0", Environment: "prod"));
        Assert.Equal(DeploymentStates.Running, prod.State);
        var again = await fleet.Admin.PostJsonAsync(ApiRoutes.Deployments, new CreateDeployment("hello", "1.2.0", Environment: "staging"));
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal("Deployment d-1 of hello (1.2.0 to staging) is running; wait for it or roll it back.", (await again.ReadErrorAsync()).Error);
        var byHost = await fleet.Admin.PostJsonAsync(ApiRoutes.Deployments, new CreateDeployment("hello", "1.2.0", ["host-3"]));
        Assert.Equal("Deployment d-2 of hello (1.2.0 to prod) is running; wait for it or roll it back.", (await byHost.ReadErrorAsync()).Error);
    }

    [Fact]
    public async Task SomeoneElsesDeployLock_RefusesTheDeployment_AndTheApprovalThatWouldStartOne()
    {
        await using var fleet = await StartAsync(Document() with { Lifecycles = [] });
        using var alice = fleet.Server.Client(await CreateTokenAsync(fleet, "alice"));
        var prod = await fleet.DeployAsync(new CreateDeployment("hello", "1.2.0", Environment: "prod"));
        using var bob = fleet.Server.Client(await CreateTokenAsync(fleet, "bob"));
        (await bob.PostJsonAsync(ApiRoutes.LockFor("hello"), new TakeDeployLock("staging", 30, "schema migration"))).EnsureSuccessStatusCode();
        (await bob.PostJsonAsync(ApiRoutes.LockFor("hello"), new TakeDeployLock("prod", 30, "schema migration"))).EnsureSuccessStatusCode();

        var refused = await fleet.Admin.PostJsonAsync(ApiRoutes.Deployments, new CreateDeployment("hello", "1.2.0", Environment: "staging"));
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Contains("hello in staging is locked by bob (\"schema migration\")", (await refused.ReadErrorAsync()).Error);
        var approval = await alice.PostJsonAsync(ApiRoutes.ApproveFor(prod.Id), new ApproveRequest());
        Assert.Equal(HttpStatusCode.Conflict, approval.StatusCode);
        Assert.Contains("hello in prod is locked by bob", (await approval.ReadErrorAsync()).Error);

        // A deployment by hand to a host of a locked environment is refused too; to a host outside it, not.
        var byHand = await fleet.Admin.PostJsonAsync(ApiRoutes.Deployments, new CreateDeployment("hello", "1.2.0", ["host-1"]));
        Assert.Equal(HttpStatusCode.Conflict, byHand.StatusCode);
        Assert.Contains("hello in staging is locked by bob", (await byHand.ReadErrorAsync()).Error);
        (await bob.DeleteAsync(ApiRoutes.LockFor("hello") + "?environment=prod")).EnsureSuccessStatusCode();
        var elsewhere = await fleet.Admin.PostJsonAsync(ApiRoutes.Deployments, new CreateDeployment("hello", "1.2.0", ["host-3"]));
        Assert.Equal(HttpStatusCode.Created, elsewhere.StatusCode);
        (await fleet.Admin.PostAsync(ApiRoutes.DeploymentActionFor((await elsewhere.ReadAsync<DeploymentInfo>()).Id, DeploymentActions.Abort), null)).EnsureSuccessStatusCode();

        // The holder itself may deploy.
        var own = await (await bob.PostJsonAsync(ApiRoutes.Deployments, new CreateDeployment("hello", "1.2.0", Environment: "staging"))).ReadAsync<DeploymentInfo>();
        Assert.Equal(DeploymentStates.Running, own.State);
    }

    private static async Task<string> CreateTokenAsync(Fleet fleet, string name, params string[] roles) =>
        (await (await fleet.Admin.PostJsonAsync(ApiRoutes.Tokens, new CreateApiToken(name, roles))).ReadAsync<ApiTokenCreated>()).Token;
}
