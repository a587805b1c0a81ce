using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Failsafe.Contracts;

namespace Failsafe.ControlPlane.Configuration;

/// <summary>
/// What differs between the applied document and the desired one, object by object (a service, an environment, a host
/// group, a lifecycle) and within a changed object field by field, the way <c>terraform plan</c> shows it.
/// </summary>
internal static class ConfigDiff
{
    public const string Service = "service";
    public const string Environment = "environment";
    public const string HostGroup = "host-group";
    public const string Lifecycle = "lifecycle";

    public static List<ConfigChange> Compare(ConfigDocument current, ConfigDocument desired)
    {
        var changes = new List<ConfigChange>();
        Compare(changes, Environment, current.Environments, desired.Environments, e => e.Name);
        Compare(changes, HostGroup, current.HostGroups, desired.HostGroups, g => g.Name);
        Compare(changes, Lifecycle, current.Lifecycles, desired.Lifecycles, l => l.Name);
        Compare(changes, Service, current.Services, desired.Services, s => s.Name);
        return changes;
    }

    private static void Compare<T>(List<ConfigChange> changes, string kind, IReadOnlyList<T> current, IReadOnlyList<T> desired, Func<T, string> name)
    {
        var before = current.ToDictionary(name, StringComparer.Ordinal);
        var after = desired.ToDictionary(name, StringComparer.Ordinal);
        foreach (var key in before.Keys.Union(after.Keys).Order(StringComparer.Ordinal))
        {
            var old = before.TryGetValue(key, out var o) ? Flatten(o) : null;
            var @new = after.TryGetValue(key, out var n) ? Flatten(n) : null;
            if (old is null)
            {
                changes.Add(new ConfigChange(ChangeKinds.Add, kind, key, @new!.Select(f => $"{f.Key}: {f.Value}").ToList()));
            }
            else if (@new is null)
            {
                changes.Add(new ConfigChange(ChangeKinds.Remove, kind, key, []));
            }
            else
            {
                var fields = old.Keys.Union(@new.Keys).Order(StringComparer.Ordinal)
                    .Where(f => old.GetValueOrDefault(f) != @new.GetValueOrDefault(f))
                    .Select(f => $"{f}: {old.GetValueOrDefault(f) ?? "(none)"} → {@new.GetValueOrDefault(f) ?? "(none)"}")
                    .ToList();
                if (fields.Count > 0)
                {
                    changes.Add(new ConfigChange(ChangeKinds.Change, kind, key, fields));
                }
            }
        }
    }

    /// <summary>Each leaf as "path → value". Lists of named things are keyed by name (a variable also by its scope), so
    /// that adding one entry shows as one line, not as every later entry shifting by one.</summary>
    private static SortedDictionary<string, string> Flatten<T>(T value)
    {
        var fields = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (JsonSerializer.SerializeToNode(value, FailsafeJson.Options) is JsonObject root)
        {
            root.Remove("name");
            Walk(root, "", fields);
        }

        return fields;
    }

    private static void Walk(JsonNode? node, string path, SortedDictionary<string, string> fields)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (key, child) in o)
                {
                    Walk(child, path.Length == 0 ? key : $"{path}.{key}", fields);
                }

                break;
            case JsonArray { Count: 0 }:
                break; // an empty list says nothing: going from none to some shows as "(none) → [...]"
            case JsonArray a when a.All(e => e is JsonValue):
                fields[path] = "[" + string.Join(", ", a.Select(e => e!.ToJsonString())) + "]";
                break;
            case JsonArray a:
                for (var i = 0; i < a.Count; i++)
                {
                    Walk(a[i], $"{path}[{KeyOf(a[i], i)}]", fields);
                }

                break;
            case JsonValue v:
                fields[path] = v.ToJsonString();
                break;
        }
    }

    private static string KeyOf(JsonNode? element, int index)
    {
        if (element is JsonObject o && o["name"] is JsonValue name)
        {
            var key = name.ToString();
            o.Remove("name");
            if (o["scope"] is JsonObject scope)
            {
                o.Remove("scope");
                var where = scope.Deserialize<VariableScope>(FailsafeJson.Options)!.ToString();
                key += where == "everywhere" ? "" : $" ({where})";
            }

            return key;
        }

        return index.ToString(CultureInfo.InvariantCulture);
    }
}
