using Failsafe.Contracts;

namespace Failsafe.Config.Tests;

public sealed class LoadTreeTests
{
    [Fact]
    public void Load_ValidServiceAndFleet_GivesTheNormalForm()
    {
        using var tree = new ConfigTree().With("hello/failsafe.yaml", Samples.Service).With("failsafe.fleet.yaml", Samples.Fleet);

        var result = tree.Load();

        Assert.Empty(result.Errors);
        Assert.True(result.IncludesFleet);
        Assert.Equal(["failsafe.fleet.yaml", "hello/failsafe.yaml"], result.Files);
        var service = Assert.Single(result.Document.Services);
        Assert.Equal("hello", service.Name);
        Assert.Equal(new RunConfig("./hello --greeting \"#{GREETING}\"", 8080, "/healthz", 45, ["/healthz", "/"], 20, 90, 3) with { WarmUpPaths = service.Run.WarmUpPaths }, service.Run);
        Assert.Equal(["/healthz", "/"], service.Run.WarmUpPaths);
        Assert.Equal([new HookConfig("pre-activate", "./migrate.sh --level #{LOG_LEVEL}", 120)], service.Hooks);
        var rollout = service.Rollout!;
        Assert.Equal([new CanaryStep(5, 30), new CanaryStep(25, 30), new CanaryStep(50, 30)], rollout.Steps);
        Assert.Equal((2, 10), (rollout.CanaryHosts, rollout.BatchHoldSeconds));
        Assert.Equal(new AnalysisSettings(0.005, 0.02, 0.2, 50, new PrometheusSource("http://127.0.0.1:9090"), InitialDelaySeconds: 30), rollout.Analysis);
        Assert.Equal(
            [
                new VariableConfig("DB_PASSWORD", null, "db-password", VariableScope.Everywhere),
                new VariableConfig("GREETING", "Hello", null, VariableScope.Everywhere),
                new VariableConfig("LOG_LEVEL", "info", null, VariableScope.Everywhere),
                new VariableConfig("LOG_LEVEL", "warn", null, new VariableScope(Environment: "prod")),
                new VariableConfig("LOG_LEVEL", "debug", null, new VariableScope(HostGroup: "staging-web")),
                new VariableConfig("LOG_LEVEL", null, "web3-key", new VariableScope(Host: "web-3")),
                new VariableConfig("PORT_COUNT", "3", null, VariableScope.Everywhere),
            ],
            service.Variables);
        Assert.Equal(["appsettings.json", "config/*.conf"], service.Substitute);
        Assert.Equal(["prod", "staging"], service.Environments);
        Assert.Equal("default", service.Lifecycle);

        var document = result.Document;
        Assert.Equal(["dev", "prod", "staging"], document.Environments.Select(e => e.Name));
        var prod = document.Environments[1];
        Assert.Equal(["prod-web"], prod.HostGroups);
        Assert.Equal(1, prod.Approval!.Required);
        Assert.Equal(["alice", "role:release-managers"], prod.Approval.Approvers);
        Assert.Equal(["stage-1"], document.Environments[2].Hosts);
        Assert.Equal(["prod-extra", "prod-web", "staging-web"], document.HostGroups.Select(g => g.Name));
        Assert.Equal(["web-3", "web-4"], document.HostGroups[1].Hosts);
        Assert.Equal(["prod"], document.HostGroups[1].Tags);
        Assert.Equal(["web-1", "web-2"], document.HostGroups[2].Hosts);
        var lifecycle = Assert.Single(document.Lifecycles);
        Assert.Equal("default", lifecycle.Name);
        Assert.Equal(["dev", "staging", "prod"], lifecycle.Phases);
    }

    [Fact]
    public void Load_MinimalService_FillsDefaultsAndLeavesRolloutToTheServer()
    {
        using var tree = new ConfigTree().With("failsafe.yaml", "service: hi\nrun:\n  entry: ./hi\nenvironments: [dev]\n");

        var result = tree.Load("failsafe.yaml");

        Assert.Empty(result.Errors);
        Assert.False(result.IncludesFleet);
        Assert.Equal(["failsafe.yaml"], result.Files);
        Assert.Equal(new ServiceConfig("hi", new RunConfig("./hi"), [], null, [], [], ["dev"], null) with { Hooks = result.Document.Services[0].Hooks, Variables = result.Document.Services[0].Variables, Substitute = result.Document.Services[0].Substitute, Environments = result.Document.Services[0].Environments }, result.Document.Services[0]);
        Assert.Empty(result.Document.Services[0].Hooks);
        Assert.Empty(result.Document.Environments);
    }

    [Fact]
    public void Load_RolloutWithoutSteps_UsesDefaultWeightsWithTheGivenHold()
    {
        using var tree = new ConfigTree().With("failsafe.yaml", "service: hi\nrun:\n  entry: ./hi\nrollout:\n  hold: 1m\nenvironments: [dev]\n");

        var rollout = tree.Load().Document.Services[0].Rollout!;

        Assert.Equal([new CanaryStep(5, 60), new CanaryStep(25, 60), new CanaryStep(50, 60)], rollout.Steps);
        Assert.Equal(new AnalysisSettings(), rollout.Analysis);
    }
}
