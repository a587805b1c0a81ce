using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Failsafe.Config.Validation;
using Failsafe.Config.Yaml;
using Failsafe.Tests.Common;
using Json.Schema;

namespace Failsafe.Config.Tests;

public sealed class SchemaTests
{
    private static readonly string SchemaFile = Path.Join(RepoPaths.Root, "docs", "failsafe.schema.json");

    [Fact]
    public void Generate_MatchesThePublishedSchemaFile()
    {
        var published = File.Exists(SchemaFile) ? File.ReadAllText(SchemaFile) : "";

        Assert.True(published == ConfigSchema.Generate(),
            "docs/failsafe.schema.json is out of date: run `dotnet run --project src/Failsafe -- schema > docs/failsafe.schema.json`.");
    }

    [Theory]
    [InlineData(Samples.Service)]
    [InlineData(Samples.Fleet)]
    public void Samples_ValidateAgainstTheSchema(string yaml)
    {
        var results = Schema().Evaluate(JsonSerializer.SerializeToElement(ToJson(yaml)), new EvaluationOptions { OutputFormat = OutputFormat.List });

        Assert.True(results.IsValid, string.Join("\n", results.Details?.Where(d => d.Errors is not null).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}")) ?? []));
    }

    [Theory]
    [InlineData("service: hello\nrun:\n  entry: x\n  helth: {}\nenvironments: [prod]\n")]
    [InlineData("service: hello\nrun:\n  entry: x\nrollout:\n  steps: [5]\nenvironments: [prod]\n")]
    [InlineData("service: hello\nrun:\n  entry: x\n  drain-timeout: 30\nenvironments: [prod]\n")]
    [InlineData("service: hello\nrun:\n  entry: x\n")]
    [InlineData("environments:\n  Prod: {}\n")]
    public void Mistakes_AreRejectedByTheSchemaToo(string yaml)
    {
        Assert.False(Schema().Evaluate(JsonSerializer.SerializeToElement(ToJson(yaml))).IsValid);
    }

    [Fact]
    public void Generate_CarriesDescriptionsForEditors()
    {
        var schema = JsonNode.Parse(ConfigSchema.Generate())!;

        Assert.Equal(
            "How long a new instance may take to become healthy before the deployment fails.",
            (string?)schema["$defs"]!["service"]!["properties"]!["run"]!["properties"]!["health"]!["properties"]!["timeout"]!["description"]);
    }

    // JsonSchema.Net registers a schema by its $id once per process.
    private static readonly Lazy<JsonSchema> Parsed = new(() => JsonSchema.FromText(ConfigSchema.Generate()));

    private static JsonSchema Schema() => Parsed.Value;

    // YAML as the editor's YAML extension sees it: plain scalars that look like numbers or bools are those.
    private static JsonNode? ToJson(string yaml)
    {
        var item = YamlReader.Read(yaml, new FileReport("sample.yaml", []));
        return Convert(item!);
    }

    private static JsonNode? Convert(YamlItem item) => item switch
    {
        YamlMapping m => new JsonObject(m.Entries.Select(e => KeyValuePair.Create(e.Key.Value, Convert(e.Value)))),
        YamlList l => new JsonArray([.. l.Items.Select(Convert)]),
        YamlText { IsNull: true } => null,
        YamlText { IsPlain: true } t when long.TryParse(t.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) => JsonValue.Create(n),
        YamlText { IsPlain: true, Value: "true" or "false" } t => JsonValue.Create(t.Value == "true"),
        YamlText t => JsonValue.Create(t.Value),
        _ => throw new InvalidOperationException(),
    };
}
