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
        Assert.Equal("run.entry: ./hello", hello.Fields[0]);
        Assert.Contains("run.drain-timeout: 4s", hello.Fields);
        Assert.Contains("variables.GREETING.value: hello", hello.Fields);
        Assert.Equal("environments: [staging, prod]", hello.Fields[^1]);
        Assert.Equal(["[staging, prod]"], changes.Single(c => c.Kind == ConfigDiff.Lifecycle).Fields);
    }

    [Fact]
    public void ChangedFields_ShowOldAndNew_ByYamlKey_InFileOrder()
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
                "variables.GREETING.environments.prod.value: hi → good day",
                "variables.EXTRA.value: (none) → 1",
            ],
            changes[1].Fields);

        // Back again: what only the old document has keeps its place in the file.
        Assert.Equal(
            [
                "run.port: 8081 → (none)",
                "variables.GREETING.environments.prod.value: good day → hi",
                "variables.EXTRA.value: 1 → (none)",
            ],
            ConfigDiff.Compare(after, before).Single(c => c.Kind == ConfigDiff.Service).Fields);
    }
}
