using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Failsafe.Artifacts;

/// <summary>
/// The manifest's JSON form: camelCase, indented, properties in declaration order, nulls left
/// out, so the same manifest always gives the same bytes. <see cref="Deserialize"/> also
/// validates: a manifest that parses is one that every other rule accepts.
/// </summary>
public static class ManifestJson
{
    private static readonly JsonSerializerOptions Options = CreateOptions();

    public static string Serialize(ReleaseManifest m)
    {
        ArgumentNullException.ThrowIfNull(m);
        return JsonSerializer.Serialize(m, Options);
    }

    public static ReleaseManifest Deserialize(string json, string sourceName)
    {
        var manifest = Parse(json, sourceName);
        ManifestValidator.Validate(manifest);
        return manifest;
    }

    /// <summary>The JSON only, for a caller that validates itself to word the error its own way.</summary>
    internal static ReleaseManifest Parse(string json, string sourceName)
    {
        ReleaseManifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<ReleaseManifest>(json, Options);
        }
        catch (JsonException ex)
        {
            throw new ArtifactException($"The manifest in '{sourceName}' is not valid: {OneLine(ex.Message)}", ex);
        }

        if (manifest is null)
        {
            throw new ArtifactException($"The manifest in '{sourceName}' is empty (null).");
        }

        return manifest;
    }

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            WriteIndented = true,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            RespectNullableAnnotations = true,
            AllowDuplicateProperties = false,
            NumberHandling = JsonNumberHandling.Strict,
            TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { RequireNonNullableParameters } },
        };
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    // A missing non-nullable value is an error; a missing nullable one (sha256 of a directory,
    // left out when writing) or one with a default (timeoutSeconds) is not.
    private static void RequireNonNullableParameters(JsonTypeInfo typeInfo)
    {
        foreach (var property in typeInfo.Properties)
        {
            if (property.AssociatedParameter is { IsNullable: false, HasDefaultValue: false })
            {
                property.IsRequired = true;
            }
        }
    }

    private static string OneLine(string text) => text.ReplaceLineEndings(" ");
}
