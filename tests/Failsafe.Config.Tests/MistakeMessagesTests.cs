namespace Failsafe.Config.Tests;

/// <summary>The exact text of every kind of mistake, as <c>failsafe validate</c> prints it.</summary>
public sealed class MistakeMessagesTests
{
    private const string Environments = "environments: [prod]\n";

    private static string[] Errors(params (string Path, string Content)[] files)
    {
        using var tree = new ConfigTree();
        foreach (var (path, content) in files)
        {
            tree.With(path, content);
        }

        return tree.Errors();
    }

    private static string[] Service(string content) => Errors(("failsafe.yaml", content));

    [Fact]
    public void Load_YamlSyntaxError_ReportsYamlDotNetsPosition()
    {
        Assert.Equal(
            ["failsafe.yaml:4:8: syntax: not valid YAML: while scanning a plain scalar value, found invalid mapping"],
            Service("service: hello\nrun:\n  entry: x\n   port: 1\n"));
    }

    [Fact]
    public void Load_UnknownKey_SuggestsTheNearKeyOrListsTheAllowedOnes()
    {
        Assert.Equal(
            [
                "failsafe.yaml:4:3: run.helth: unknown key 'helth': did you mean 'health'?",
                "failsafe.yaml:5:3: run.Port: unknown key 'Port': did you mean 'port'?",
                "failsafe.yaml:6:3: run.colour: unknown key 'colour': the keys allowed here are entry, port, health, warm-up, drain-timeout, keep-releases",
                "failsafe.yaml:7:1: enviroments: unknown key 'enviroments': did you mean 'environments'?",
            ],
            Service("service: hello\nrun:\n  entry: x\n  helth: {}\n  Port: 80\n  colour: red\nenviroments: [prod]\nenvironments: [prod]\n"));
    }

    [Fact]
    public void Load_WrongType_SaysWhatWasExpectedAndWhatWasWritten()
    {
        Assert.Equal(
            [
                "failsafe.yaml:3:10: run.entry: must be text, not a list",
                "failsafe.yaml:4:9: run.port: must be a number, not a list",
                "failsafe.yaml:5:18: run.keep-releases: must be a whole number, not 'many'",
                "failsafe.yaml:6:15: environments: must be a list, not 'prod'",
            ],
            Service("service: hello\nrun:\n  entry: [x]\n  port: [1]\n  keep-releases: many\nenvironments: prod\n"));
    }

    [Fact]
    public void Load_MissingRequiredFields_NamesEach()
    {
        Assert.Equal(
            ["failsafe.yaml:1:1: environments: is required, but missing", "failsafe.yaml:3:3: run.entry: is required, but missing"],
            Service("service: hello\nrun:\n  port: 80\n"));
    }

    [Fact]
    public void Load_EmptyServiceFile_SaysWhatItNeeds()
    {
        Assert.Equal(["failsafe.yaml:1:1: service: the file is empty: a service file needs service, run and environments"], Service(""));
    }

    [Fact]
    public void Load_BadDurations_ExplainTheSyntax()
    {
        Assert.Equal(
            [
                "failsafe.yaml:5:14: run.health.timeout: '30' has no unit: write 30s",
                "failsafe.yaml:6:18: run.drain-timeout: '5 min' is not a duration: use s, m or h, e.g. 90s or 2m",
                "failsafe.yaml:8:40: hooks.pre-activate.timeout: '1500ms' is not a whole number of seconds",
                "failsafe.yaml:10:9: rollout.hold: '48h' is too long: use at most 24h",
            ],
            Service("service: hello\nrun:\n  entry: x\n  health:\n    timeout: 30\n  drain-timeout: 5 min\nhooks:\n  pre-activate: { command: x, timeout: 1500ms }\nrollout:\n  hold: 48h\n" + Environments));
    }

    [Fact]
    public void Load_BadPercentages_ExplainTheSyntaxAndRange()
    {
        Assert.Equal(
            [
                "failsafe.yaml:5:11: rollout.steps[0]: write 5% not 5",
                "failsafe.yaml:5:14: rollout.steps[1]: '120%' is over 100%",
                "failsafe.yaml:5:20: rollout.steps[2]: '2.5%' must be a whole percentage",
                "failsafe.yaml:7:18: rollout.analysis.false-alarm: '50%' is out of range: use more than 0% and less than 50%",
                "failsafe.yaml:8:25: rollout.analysis.min-error-increase: '5 percent' is not a percentage: write e.g. 5% or 0.5%",
            ],
            Service("service: hello\nrun:\n  entry: x\nrollout:\n  steps: [5, 120%, 2.5%]\n  analysis:\n    false-alarm: 50%\n    min-error-increase: 5 percent\n" + Environments));
    }

    [Fact]
    public void Load_NumbersOutOfRange_GiveTheBound()
    {
        Assert.Equal(
            ["failsafe.yaml:4:9: run.port: must be at most 65535, not 70000", "failsafe.yaml:5:18: run.keep-releases: must be at least 1, not 0"],
            Service("service: hello\nrun:\n  entry: x\n  port: 70000\n  keep-releases: 0\n" + Environments));
    }

    [Fact]
    public void Load_StepsNotRising_NamesTheStepThatFalls()
    {
        Assert.Equal(
            [
                "failsafe.yaml:5:20: rollout.steps[2]: steps must rise: 25% comes after 50%",
                "failsafe.yaml:5:25: rollout.steps[3]: steps must rise: 50% comes after 50%",
            ],
            Service("service: hello\nrun:\n  entry: x\nrollout:\n  steps: [5%, 50%, 25%, 50%]\n" + Environments));
    }

    [Fact]
    public void Load_BadNames_GiveTheRule()
    {
        Assert.Equal(
            [
                "failsafe.yaml:1:10: service: 'Hello' is not a valid service name: use 1 to 63 lowercase letters, digits and '-', starting with a letter (e.g. billing-api)",
                "failsafe.yaml:5:3: variables.log-level: 'log-level' is not a valid variable name: use capital letters, digits and '_', not starting with a digit (e.g. LOG_LEVEL)",
                "failsafe.yaml:8:7: variables.OK.environments.Prod: 'Prod' is not a valid environment name: use 1 to 63 lowercase letters, digits and '-', starting with a letter (e.g. prod)",
                "failsafe.yaml:9:16: environments[0]: 'Prod' is not a valid environment name: use 1 to 63 lowercase letters, digits and '-', starting with a letter (e.g. prod)",
                "failsafe.yaml:9:28: environments[2]: 'prod' is listed twice (also at environments[1])",
            ],
            Service("service: Hello\nrun:\n  entry: x\nvariables:\n  log-level: x\n  OK:\n    environments:\n      Prod: y\nenvironments: [Prod, prod, prod]\n"));
    }

    [Fact]
    public void Load_ValueAndSecretBothOrNeither_IsReported()
    {
        Assert.Equal(
            [
                "failsafe.yaml:5:6: variables.A: give a value or a secret, not both",
                "failsafe.yaml:6:6: variables.B: give a value or a secret (e.g. value: info, or secret: db-password)",
                "failsafe.yaml:9:14: variables.C.hosts.web-1: give a value or a secret (e.g. value: info, or secret: db-password)",
            ],
            Service("service: hello\nrun:\n  entry: x\nvariables:\n  A: { value: x, secret: y }\n  B: {}\n  C:\n    hosts:\n      web-1: {}\n" + Environments));
    }

    [Fact]
    public void Load_VariableUsedAndNeverDefined_NamesIt()
    {
        Assert.Equal(
            [
                "failsafe.yaml:3:10: run.entry: #{MISSING} names no variable: define MISSING under variables",
                "failsafe.yaml:5:17: hooks.pre-activate: #{HOOKVAR} names no variable: define HOOKVAR under variables",
                "failsafe.yaml:7:6: variables.A: #{ALSO_MISSING} names no variable: define ALSO_MISSING under variables",
            ],
            Service("service: hello\nrun:\n  entry: \"./run #{A} ##{B} #{MISSING}\"\nhooks:\n  pre-activate: \"./m #{HOOKVAR}\"\nvariables:\n  A: \"#{ALSO_MISSING}\"\n" + Environments));
    }

    [Fact]
    public void Load_PlaceholderLostToAYamlComment_AsksForQuotes()
    {
        Assert.Equal(
            ["failsafe.yaml:3:10: run.entry: '#{A}' is a YAML comment, not part of the value ('#' after a space starts one): put the whole value in quotes"],
            Service("service: hello\nrun:\n  entry: ./run #{A}\nvariables:\n  A: x\n" + Environments));
    }

    [Fact]
    public void Load_NamesThatPointAtNothing_AreReportedWhenTheFleetIsLoaded()
    {
        Assert.Equal(
            [
                "failsafe.fleet.yaml:3:24: environments.prod.host-groups[1]: environment prod names host group 'nope', which the fleet does not define",
                "failsafe.fleet.yaml:6:15: host-groups.web.include[0]: host group web includes host group 'ghost', which the fleet does not define",
                "failsafe.fleet.yaml:8:13: lifecycles.default[0]: lifecycle default names environment 'dev', which the fleet does not define",
                "failsafe.yaml:6:21: variables.A.environments.qa: variable A of service hello is set for environment 'qa', which the fleet does not define",
                "failsafe.yaml:7:20: variables.A.host-groups.gone: variable A of service hello is set for host group 'gone', which the fleet does not define",
                "failsafe.yaml:8:22: environments[1]: service hello deploys to environment 'qa', which the fleet does not define",
                "failsafe.yaml:9:12: lifecycle: service hello follows lifecycle 'fast', which the fleet does not define",
            ],
            Errors(
                ("failsafe.fleet.yaml", "environments:\n  prod:\n    host-groups: [web, nope]\nhost-groups:\n  web:\n    include: [ghost]\nlifecycles:\n  default: [dev, prod]\n"),
                ("failsafe.yaml", "service: hello\nrun:\n  entry: x\nvariables:\n  A:\n    environments: { qa: 1 }\n    host-groups: { gone: 2 }\nenvironments: [prod, qa]\nlifecycle: fast\n")));
    }

    [Fact]
    public void Load_ServiceWithoutFleet_LeavesEnvironmentsToTheServer()
    {
        Assert.Empty(Service("service: hello\nrun:\n  entry: x\nenvironments: [qa]\nlifecycle: fast\n"));
    }

    [Fact]
    public void Load_Cycles_ShowThePathAround()
    {
        Assert.Equal(
            [
                "failsafe.fleet.yaml:8:15: host-groups.b.include[0]: host groups include each other: a → b → a",
                "failsafe.fleet.yaml:10:15: host-groups.c.include[0]: host groups include each other: c → c",
                "failsafe.fleet.yaml:12:27: lifecycles.default[2]: dev → staging → dev goes back to dev: each environment may appear once",
            ],
            Errors(("failsafe.fleet.yaml", "environments:\n  dev: {}\n  staging: {}\nhost-groups:\n  a:\n    include: [b]\n  b:\n    include: [a]\n  c:\n    include: [c]\nlifecycles:\n  default: [dev, staging, dev]\n")));
    }

    [Fact]
    public void Load_SameNameDefinedTwiceAcrossFiles_NamesBothPlaces()
    {
        Assert.Equal(
            [
                "b/failsafe.yaml:1:10: service: service 'hello' is defined twice: here and at a/failsafe.yaml:1:10",
                "fleet/b.yml:2:3: environments.prod: environment 'prod' is defined twice: here and at fleet/a.yaml:2:3",
            ],
            Errors(
                ("fleet/a.yaml", "environments:\n  prod: {}\n"),
                ("fleet/b.yml", "environments:\n  prod: {}\nlifecycles:\n  default: [prod]\n"),
                ("a/failsafe.yaml", "service: hello\nrun:\n  entry: x\n" + Environments),
                ("b/failsafe.yaml", "service: hello\nrun:\n  entry: y\n" + Environments)));
    }

    [Fact]
    public void Load_SameKeyTwiceInOneMapping_IsReported()
    {
        Assert.Equal(
            ["failsafe.fleet.yaml:3:3: syntax: key 'prod' is written twice in one mapping (first at line 2)"],
            Errors(("failsafe.fleet.yaml", "environments:\n  prod: {}\n  prod: {}\n")));
    }

    [Fact]
    public void Load_ApprovalGateNeedingMoreApproversThanListed_IsReportedUnlessARoleIsListed()
    {
        Assert.Equal(
            ["failsafe.fleet.yaml:4:17: environments.prod.approval.required: requires 3 approvals but lists only 2 approvers and no role"],
            Errors(("failsafe.fleet.yaml", "environments:\n  prod:\n    approval:\n      required: 3\n      approvers: [alice, bob]\n  staging:\n    approval:\n      required: 3\n      approvers: [alice, role:ops]\n")));
    }

    [Fact]
    public void Load_TwoGroupsOfOneHostDisagreeing_NamesBothGroups()
    {
        Assert.Equal(
            ["failsafe.yaml:8:7: variables.A.host-groups.b: host web-2 is in host groups a and b, which give A different values: set it for the host under hosts.web-2"],
            Errors(
                ("failsafe.fleet.yaml", "environments:\n  prod:\n    host-groups: [a, b]\nhost-groups:\n  a:\n    hosts: [web-1, web-2]\n  b:\n    hosts: [web-2]\n"),
                ("failsafe.yaml", "service: hello\nrun:\n  entry: x\nvariables:\n  A:\n    host-groups:\n      a: one\n      b: two\n  B:\n    host-groups:\n      a: one\n      b: one\n  C:\n    host-groups:\n      a: one\n      b: two\n    hosts:\n      web-2: three\n" + Environments)));
    }

    [Fact]
    public void Load_FleetFileThatIsNotAMapping_SaysSo()
    {
        Assert.Equal(["failsafe.fleet.yaml:1:1: (top): must be a mapping, not a list"], Errors(("failsafe.fleet.yaml", "- a\n")));
    }

    [Fact]
    public void Load_ManyMistakesInOneFile_ReportsAllInOrder()
    {
        const string yaml = """
            service: Bad_Name
            run:
              entry: "./run #{NOPE}"
              port: eighty
              health:
                path: healthz
                timeout: 30
            hooks:
              pre-deploy: ./x
            rollout:
              steps: [50%, 10%]
              analysis:
                false-alarm: 1
            variables:
              A: { value: 1, secret: a }
            environments: []
            lifecycle: Default
            extra: true
            """;
        Assert.Equal(
            [
                "failsafe.yaml:1:10: service: 'Bad_Name' is not a valid service name: use 1 to 63 lowercase letters, digits and '-', starting with a letter (e.g. billing-api)",
                "failsafe.yaml:3:10: run.entry: #{NOPE} names no variable: define NOPE under variables",
                "failsafe.yaml:4:9: run.port: must be a whole number, not 'eighty'",
                "failsafe.yaml:6:11: run.health.path: 'healthz' must start with '/'",
                "failsafe.yaml:7:14: run.health.timeout: '30' has no unit: write 30s",
                "failsafe.yaml:9:3: hooks.pre-deploy: unknown key 'pre-deploy': the keys allowed here are pre-activate",
                "failsafe.yaml:11:16: rollout.steps[1]: steps must rise: 10% comes after 50%",
                "failsafe.yaml:13:18: rollout.analysis.false-alarm: write 1% not 1",
                "failsafe.yaml:15:6: variables.A: give a value or a secret, not both",
                "failsafe.yaml:16:15: environments: must list at least one",
                "failsafe.yaml:17:12: lifecycle: 'Default' is not a valid lifecycle name: use 1 to 63 lowercase letters, digits and '-', starting with a letter (e.g. default)",
                "failsafe.yaml:18:1: extra: unknown key 'extra': the keys allowed here are service, run, hooks, rollout, variables, substitute, environments, lifecycle",
            ],
            Service(yaml));
    }
}
