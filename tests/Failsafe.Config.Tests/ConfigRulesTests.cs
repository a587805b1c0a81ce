using Failsafe.Contracts;

namespace Failsafe.Config.Tests;

public sealed class ConfigRulesTests
{
    [Fact]
    public void Check_NamesThatPointAtNothing_OneSentenceEach()
    {
        var service = new ServiceConfig("hello", new RunConfig("x"), [], null,
            [new VariableConfig("A", "1", null, new VariableScope(Environment: "qa")), new VariableConfig("B", "1", null, new VariableScope(HostGroup: "gone"))],
            [], ["prod", "qa"], "fast");
        var document = new ConfigDocument(
            [service],
            [new EnvironmentConfig("prod", ["web", "nope"], [], null)],
            [new HostGroupConfig("web", [], [])],
            [new LifecycleConfig("default", ["dev", "prod"])]);

        Assert.Equal(
            [
                "service hello deploys to environment 'qa', which the fleet does not define",
                "service hello follows lifecycle 'fast', which the fleet does not define",
                "variable A of service hello is set for environment 'qa', which the fleet does not define",
                "variable B of service hello is set for host group 'gone', which the fleet does not define",
                "lifecycle default names environment 'dev', which the fleet does not define",
                "environment prod names host group 'nope', which the fleet does not define",
            ],
            ConfigRules.Check(document));
    }

    [Fact]
    public void Check_LoadedSample_HasNoProblems()
    {
        using var tree = new ConfigTree().With("failsafe.yaml", Samples.Service).With("failsafe.fleet.yaml", Samples.Fleet);

        Assert.Empty(ConfigRules.Check(tree.Load().Document));
    }
}
