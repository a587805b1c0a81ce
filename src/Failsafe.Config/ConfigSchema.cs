using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Failsafe.Config.Schema;
using Failsafe.Config.Validation;

namespace Failsafe.Config;

/// <summary>The JSON Schema of both files, for editors, generated from the same descriptors the loader checks against.</summary>
public static class ConfigSchema
{
    // Relaxed escaping keeps the descriptions' quotes readable in the published file.
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>JSON Schema (draft 2020-12) as indented JSON text, ending with a newline.</summary>
    public static string Generate()
    {
        // if/then/else on the "service" key rather than oneOf: editors then report the mistakes of the one file kind
        // meant, instead of "matches neither" (VS Code's YAML extension handles if/then/else).
        var schema = new JsonObject
        {
            ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
            ["$id"] = "https://failsafe.dev/schema/failsafe.schema.json",
            ["title"] = "Failsafe config",
            ["description"] = "A service's failsafe.yaml (it has a 'service' key) or a fleet file (failsafe.fleet.yaml, fleet/*.yaml).",
            ["type"] = "object",
            ["if"] = new JsonObject { ["required"] = new JsonArray("service") },
            ["then"] = new JsonObject { ["$ref"] = "#/$defs/service" },
            ["else"] = new JsonObject { ["$ref"] = "#/$defs/fleet" },
            ["$defs"] = new JsonObject
            {
                ["service"] = Describe(ConfigShapes.Service, "A service's failsafe.yaml."),
                ["fleet"] = Describe(ConfigShapes.Fleet, "The fleet: environments, host groups and lifecycles."),
            },
        };
        return schema.ToJsonString(Indented) + "\n";
    }

    private static JsonObject Describe(Shape shape, string? doc)
    {
        var node = shape switch
        {
            ScalarShape scalar => Scalar(scalar),
            ListShape list => List(list),
            MapShape map => new JsonObject
            {
                ["type"] = "object",
                ["propertyNames"] = new JsonObject { ["pattern"] = map.Key.Pattern, ["maxLength"] = map.Key.MaxLength },
                ["additionalProperties"] = Describe(map.Value, map.ValueDoc),
            },
            ObjectShape obj => Object(obj),
            ChoiceShape choice => new JsonObject { ["anyOf"] = new JsonArray([.. choice.Choices.Select(c => Describe(c, null))]) },
            _ => throw new InvalidOperationException($"Unknown shape {shape.GetType().Name}."),
        };
        if (doc is not null)
        {
            node.Insert(0, "description", doc);
        }

        return node;
    }

    private static JsonObject Object(ObjectShape shape)
    {
        var properties = new JsonObject();
        foreach (var field in shape.Fields)
        {
            var property = Describe(field.Shape, field.Doc);
            if (field.Default is { } value && !(value is string s && s.StartsWith('[')))
            {
                property["default"] = value is int number ? JsonValue.Create(number) : JsonValue.Create((string)value);
            }

            properties[field.Key] = property;
        }

        var node = new JsonObject { ["type"] = "object", ["properties"] = properties, ["additionalProperties"] = false };
        var required = shape.Fields.Where(f => f.Required).Select(f => (JsonNode?)f.Key).ToArray();
        if (required.Length > 0)
        {
            node["required"] = new JsonArray(required);
        }

        return node;
    }

    private static JsonObject List(ListShape list)
    {
        var node = new JsonObject { ["type"] = "array", ["items"] = Describe(list.Item, null) };
        if (list.NonEmpty)
        {
            node["minItems"] = 1;
        }

        if (list.Unique)
        {
            node["uniqueItems"] = true;
        }

        return node;
    }

    private static JsonObject Scalar(ScalarShape shape)
    {
        switch (shape.Kind)
        {
            case ScalarKind.Integer:
                var integer = new JsonObject { ["type"] = "integer" };
                if (shape.Min is { } min)
                {
                    integer["minimum"] = (long)min;
                }

                if (shape.Max is { } max)
                {
                    integer["maximum"] = (long)max;
                }

                return integer;
            case ScalarKind.Duration:
                return new JsonObject { ["type"] = "string", ["pattern"] = ScalarText.DurationJsonPattern };
            case ScalarKind.Percentage:
                return new JsonObject
                {
                    ["type"] = "string",
                    ["pattern"] = shape.Whole ? "^[0-9]+%$" : ScalarText.PercentJsonPattern,
                };
            case ScalarKind.Value:
                return new JsonObject { ["type"] = new JsonArray("string", "number", "boolean") };
            default:
                var text = new JsonObject { ["type"] = "string", ["minLength"] = 1 };
                if (shape.Name is { } rule)
                {
                    text["pattern"] = rule.Pattern;
                    text["maxLength"] = rule.MaxLength;
                }
                else if (shape.StartsWith is { } prefix)
                {
                    text["pattern"] = "^" + prefix;
                }
                else if (shape.HttpUrl)
                {
                    text["pattern"] = "^https?://";
                }

                return text;
        }
    }
}
