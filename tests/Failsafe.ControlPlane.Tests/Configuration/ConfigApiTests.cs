using System.Net;
using System.Text.Json;
using Failsafe.Contracts;
using Failsafe.ControlPlane.Tests.Infrastructure;
using static Failsafe.ControlPlane.Tests.Configuration.SampleConfig;

namespace Failsafe.ControlPlane.Tests.Configuration;

public sealed class ConfigApiTests
{
    private static async Task<T> PostAsync<T>(HttpClient client, string route, object body) =>
        await (await client.PostJsonAsync(route, body)).ReadAsync<T>();

    [Fact]
    public async Task PlanThenApply_RoundTrips_AndAnUnchangedTreeIsANoOp()
    {
        await using var fleet = await Fleet.StartAsync(agents: 0);
        var request = new ConfigRequest(Document(), Commit: "abc123", Source: "/repo");

        var plan = await PostAsync<ConfigPlan>(fleet.Admin, ApiRoutes.ConfigPlan, request);
        Assert.Equal(0, plan.Revision);
        Assert.Equal(6, plan.Changes.Count);
        Assert.All(plan.Changes, c => Assert.Equal(ChangeKinds.Add, c.Action));

        var applied = await PostAsync<ConfigApplied>(fleet.Admin, ApiRoutes.ConfigApply, request with { ExpectedRevision = plan.Revision });
        Assert.Equal((1L, true), (applied.Revision, applied.Changed));
        var state = await fleet.Admin.GetJsonAsync<ConfigState>(ApiRoutes.Config);
        Assert.Equal((1L, "abc123", "admin"), (state.Revision, state.Commit, state.AppliedBy));
        Assert.Equal(JsonSerializer.Serialize(Document(), FailsafeJson.Options), JsonSerializer.Serialize(state.Document, FailsafeJson.Options));

        var again = await PostAsync<ConfigPlan>(fleet.Admin, ApiRoutes.ConfigPlan, request);
        Assert.True(again.IsEmpty);
        Assert.Equal("abc123", again.AppliedCommit);
        var noop = await PostAsync<ConfigApplied>(fleet.Admin, ApiRoutes.ConfigApply, request);
        Assert.Equal((1L, false), (noop.Revision, noop.Changed));

        var events = await fleet.Admin.GetJsonAsync<List<EventInfo>>(ApiRoutes.Events + "?target=config");
        var applyEvent = Assert.Single(events);
        Assert.Equal(("config.apply", "admin"), (applyEvent.Action, applyEvent.Actor));
        Assert.StartsWith("revision 1 from commit abc123 (/repo): + environment prod", applyEvent.Detail);
    }

    [Fact]
    public async Task Apply_AgainstAStalePlan_IsRefused()
    {
        await using var fleet = await Fleet.StartAsync(agents: 0);
        await PostAsync<ConfigApplied>(fleet.Admin, ApiRoutes.ConfigApply, new ConfigRequest(Document()));
        var changed = new ConfigRequest(Document(Hello() with { Substitute = [] }), ExpectedRevision: 0);
        var response = await fleet.Admin.PostJsonAsync(ApiRoutes.ConfigApply, changed);
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("The configuration changed since the plan (revision 0, now 1, applied by admin); run plan again.", (await response.ReadErrorAsync()).Error);
    }

    [Fact]
    public async Task Plan_ShowsDrift_AndAServiceRepositoryAlone_ChangesOnlyItsService()
    {
        await using var fleet = await Fleet.StartAsync(agents: 2);
        fleet["host-2"].Tags.Add("elsewhere");
        await fleet.ReportAllAsync();
        await fleet.PushAsync("orphan", "1.0.0");
        var other = Hello() with { Name = "other", Environments = ["staging"] };
        await PostAsync<ConfigApplied>(fleet.Admin, ApiRoutes.ConfigApply, new ConfigRequest(Document(Hello(Secret("TOKEN", "api-token")), other)));

        // The hello repository on its own: the fleet stays, "other" stays (drift), hello changes.
        var alone = new ConfigRequest(Document(Hello(Secret("TOKEN", "api-token"), Value("MORE", "1"))) with { Environments = [], HostGroups = [], Lifecycles = [] }, IncludesFleet: false);
        var plan = await PostAsync<ConfigPlan>(fleet.Admin, ApiRoutes.ConfigPlan, alone);
        Assert.Equal(["change service hello"], plan.Changes.Select(c => $"{c.Action} {c.Kind} {c.Name}"));
        Assert.Equal(
            [
                "service other: is on the server but in none of these files; it stays (apply --prune removes it)",
                "host host-2: is enrolled but in no environment; no deployment by environment reaches it",
                "host host-3: is named by host group prod-web but has not enrolled",
                "service orphan: has releases on the server but no failsafe.yaml; it deploys only by --hosts",
                "secret prod/api-token: is used by hello but not set: failsafe secret set api-token --env prod",
                "secret staging/api-token: is used by hello but not set: failsafe secret set api-token --env staging",
            ],
            plan.Drift.Select(d => $"{d.Kind} {d.Name}: {d.Detail}"));

        await PostAsync<ConfigApplied>(fleet.Admin, ApiRoutes.ConfigApply, alone);
        var state = await fleet.Admin.GetJsonAsync<ConfigState>(ApiRoutes.Config);
        Assert.Equal(["hello", "other"], state.Document.Services.Select(s => s.Name));
        Assert.Equal(2, state.Document.Environments.Count);

        var pruned = await PostAsync<ConfigPlan>(fleet.Admin, ApiRoutes.ConfigPlan, alone with { Prune = true });
        Assert.Equal(["remove service other"], pruned.Changes.Select(c => $"{c.Action} {c.Kind} {c.Name}"));
    }

    [Fact]
    public async Task ServiceNamingAnEnvironmentTheFleetLacks_IsRefused_WithASentence()
    {
        await using var fleet = await Fleet.StartAsync(agents: 0);
        await PostAsync<ConfigApplied>(fleet.Admin, ApiRoutes.ConfigApply, new ConfigRequest(Document()));
        var response = await fleet.Admin.PostJsonAsync(ApiRoutes.ConfigPlan, new ConfigRequest(
            ConfigDocument.Empty with { Services = [Hello() with { Environments = ["qa"] }] }, IncludesFleet: false));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = (await response.ReadErrorAsync()).Error;
        Assert.StartsWith("The configuration does not hold together with the server's fleet: ", error);
        Assert.Contains("qa", error);
    }
}
