using Failsafe.Contracts;
using Failsafe.ControlPlane.Configuration;
using static Failsafe.ControlPlane.Tests.Configuration.SampleConfig;

namespace Failsafe.ControlPlane.Tests.Configuration;

public sealed class ConfigDiffTests
{
    [Fact]
    public void SameDocument_HasNoChanges() =>
        Assert.Empty(ConfigDiff.Compare(Document(), Document()));

    [Fact]
    public void EmptyServer_AddsEveryObject_WithItsFields()
    {
        var changes = ConfigDiff.Compare(ConfigDocument.Empty, Document());
        Assert.Equal(
            ["add environment prod", "add environment staging", "add host-group prod-web", "add host-group staging-web", "add lifecycle default", "add service hello"],
            changes.Select(c => $"{c.Action} {c.Kind} {c.Name}"));
        var hello = changes.Single(c => c.Name == "hello");
        Assert.Contains("run.entry: \"./hello\"", hello.Fields);
        Assert.Contains("variables[GREETING].value: \"hello\"", hello.Fields);
        Assert.Contains("environments: [\"staging\", \"prod\"]", hello.Fields);
    }

    [Fact]
    public void ChangedFields_ShowOldAndNew_AndAVariableKeyedByNameAndScope()
    {
        var before = Document(Hello(Value("GREETING", "hello"), Value("GREETING", "hi", environment: "prod")));
        var after = Document(Hello(Value("GREETING", "hello"), Value("GREETING", "good day", environment: "prod"), Value("EXTRA", "1")) with
        {
            Run = new RunConfig("./hello", Port: 8081, KeepReleases: 3, DrainTimeoutSeconds: 4),
        }) with
        {
            Lifecycles = [],
        };
        var changes = ConfigDiff.Compare(before, after);
        Assert.Equal(["remove lifecycle default", "change service hello"], changes.Select(c => $"{c.Action} {c.Kind} {c.Name}"));
        Assert.Equal(
            [
                "run.port: (none) → 8081",
                "variables[EXTRA].value: (none) → \"1\"",
                "variables[GREETING (environment prod)].value: \"hi\" → \"good day\"",
            ],
            changes[1].Fields);
    }
}
