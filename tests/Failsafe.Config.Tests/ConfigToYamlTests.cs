using System.Text.Json;
using Failsafe.Config.Writing;
using Failsafe.Contracts;

namespace Failsafe.Config.Tests;

/// <summary>What <see cref="ConfigToYaml"/> writes, read back by the loader, is the document it was written from.</summary>
public sealed class ConfigToYamlTests
{
    [Fact]
    public void Service_UsesTheFilesKeysAndUnits()
    {
        using var tree = new ConfigTree().With("hello/failsafe.yaml", Samples.Service).With("failsafe.fleet.yaml", Samples.Fleet);
        var service = ConfigToYaml.Service(Assert.Single(tree.Load().Document.Services));

        var run = (YamlMap)Value(service, "run");
        Assert.Equal("1m30s", Value(run, "drain-timeout"));
        Assert.Equal("45s", Value((YamlMap)Value(run, "health"), "timeout"));
        var analysis = (YamlMap)Value((YamlMap)Value(service, "rollout"), "analysis");
        Assert.Equal(("0.5%", "2%", "20%"), (Value(analysis, "false-alarm"), Value(analysis, "min-error-increase"), Value(analysis, "min-latency-increase")));
        var logLevel = (YamlMap)Value((YamlMap)Value(service, "variables"), "LOG_LEVEL");
        Assert.Equal(["value", "environments", "host-groups", "hosts"], logLevel.Select(e => e.Key));
        Assert.Equal("web3-key", Value((YamlMap)Value((YamlMap)Value(logLevel, "hosts"), "web-3"), "secret"));
    }

    [Fact]
    public void WrittenAndReadBack_TheSamplesAndTheMinimalService_GiveTheSameDocument()
    {
        using var tree = new ConfigTree()
            .With("hello/failsafe.yaml", Samples.Service)
            .With("hi/failsafe.yaml", "service: hi\nrun:\n  entry: ./hi\nenvironments: [dev]\n")
            .With("odd/failsafe.yaml", """
                service: odd
                run:
                  entry: "./odd --name \"#{NAME}\" --list a,b"
                rollout:
                  steps: []
                variables:
                  NAME: "  spaced: yes # not a comment  "
                  EMPTY: ""
                  FLAG: true
                environments: [dev]
                """)
            .With("failsafe.fleet.yaml", Samples.Fleet);
        var loaded = tree.Load();
        Assert.Empty(loaded.Errors);

        using var written = new ConfigTree().With("failsafe.fleet.yaml", YamlWriter.Write(Fleet(loaded.Document)));
        foreach (var service in loaded.Document.Services)
        {
            written.With($"{service.Name}/failsafe.yaml", YamlWriter.Write(ConfigToYaml.Service(service)));
        }

        var again = written.Load();
        Assert.Empty(again.Errors);
        Assert.Equal(Json(loaded.Document), Json(again.Document));
    }

    private static YamlMap Fleet(ConfigDocument document)
    {
        YamlMap Map<T>(IEnumerable<T> items, Func<T, string> name, Func<T, object> yaml)
        {
            var map = new YamlMap();
            foreach (var item in items)
            {
                map.Add(name(item), yaml(item));
            }

            return map;
        }

        return new YamlMap
        {
            { "environments", Map(document.Environments, e => e.Name, ConfigToYaml.Environment) },
            { "host-groups", Map(document.HostGroups, g => g.Name, ConfigToYaml.HostGroup) },
            { "lifecycles", Map(document.Lifecycles, l => l.Name, ConfigToYaml.Lifecycle) },
        };
    }

    private static object Value(YamlMap map, string key) => map.Single(e => e.Key == key).Value;

    private static string Json(ConfigDocument document) => JsonSerializer.Serialize(document, FailsafeJson.Options);
}
