using System.Text.Json;
using System.Text.Json.Serialization;

namespace Failsafe.Contracts;

/// <summary>One set of JSON options for every wire format, so server, agent and CLI agree.</summary>
public static class FailsafeJson
{
    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        };
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
