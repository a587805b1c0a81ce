using Failsafe.Config.Writing;
using Failsafe.Contracts;

namespace Failsafe.ControlPlane.Configuration;

/// <summary>
/// What differs between the applied document and the desired one, object by object (a service, an environment, a host
/// group, a lifecycle) and within a changed object field by field, the way <c>terraform plan</c> shows it. Fields are
/// named by their YAML keys and shown as the files write them (<c>run.drain-timeout: 5s → 7s</c>).
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
        Compare(changes, Environment, current.Environments, desired.Environments, e => e.Name, ConfigToYaml.Environment);
        Compare(changes, HostGroup, current.HostGroups, desired.HostGroups, g => g.Name, ConfigToYaml.HostGroup);
        Compare(changes, Lifecycle, current.Lifecycles, desired.Lifecycles, l => l.Name, ConfigToYaml.Lifecycle);
        Compare(changes, Service, current.Services, desired.Services, s => s.Name, ConfigToYaml.Service);
        return changes;
    }

    private static void Compare<T>(
        List<ConfigChange> changes, string kind, IReadOnlyList<T> current, IReadOnlyList<T> desired, Func<T, string> name, Func<T, object> yaml)
    {
        var before = current.ToDictionary(name, StringComparer.Ordinal);
        var after = desired.ToDictionary(name, StringComparer.Ordinal);
        foreach (var key in before.Keys.Union(after.Keys).Order(StringComparer.Ordinal))
        {
            var old = before.TryGetValue(key, out var o) ? Flatten(yaml(o)) : null;
            var @new = after.TryGetValue(key, out var n) ? Flatten(yaml(n)) : null;
            if (old is null)
            {
                changes.Add(new ConfigChange(ChangeKinds.Add, kind, key, @new!.Select(f => Line(f.Key, f.Value)).ToList()));
            }
            else if (@new is null)
            {
                changes.Add(new ConfigChange(ChangeKinds.Remove, kind, key, []));
            }
            else
            {
                var fields = InFileOrder(old, @new)
                    .Where(f => old.GetValueOrDefault(f) != @new.GetValueOrDefault(f))
                    .Select(f => Line(f, $"{old.GetValueOrDefault(f) ?? "(none)"} → {@new.GetValueOrDefault(f) ?? "(none)"}"))
                    .ToList();
                if (fields.Count > 0)
                {
                    changes.Add(new ConfigChange(ChangeKinds.Change, kind, key, fields));
                }
            }
        }
    }

    /// <summary>The new keys in order, each key only the old document has placed after the key before it there.</summary>
    private static List<string> InFileOrder(OrderedDictionary<string, string> old, OrderedDictionary<string, string> @new)
    {
        var keys = @new.Keys.ToList();
        string? previous = null;
        foreach (var key in old.Keys)
        {
            if (!@new.ContainsKey(key))
            {
                keys.Insert(previous is null ? 0 : keys.IndexOf(previous) + 1, key);
            }

            previous = key;
        }

        return keys;
    }

    // A lifecycle is a list with no key of its own: its line is the value alone.
    private static string Line(string path, string value) => path.Length == 0 ? value : $"{path}: {value}";

    /// <summary>Each leaf as "path → value", in the order the file writes them. The service's own name is the object's
    /// name, not a field. Variables, hooks and scopes are maps keyed by name, so adding one shows as one line.</summary>
    private static OrderedDictionary<string, string> Flatten(object yaml)
    {
        var fields = new OrderedDictionary<string, string>(StringComparer.Ordinal);
        Walk(yaml, "", fields);
        return fields;
    }

    private static void Walk(object node, string path, OrderedDictionary<string, string> fields)
    {
        switch (node)
        {
            case YamlMap map:
                foreach (var (key, child) in map.Where(e => path.Length > 0 || e.Key != "service"))
                {
                    Walk(child, path.Length == 0 ? key : $"{path}.{key}", fields);
                }

                break;
            case IReadOnlyList<string> { Count: 0 }:
                break; // an empty list says nothing: going from none to some shows as "(none) → [...]"
            case IReadOnlyList<string> list:
                fields[path] = "[" + string.Join(", ", list.Select(t => Scalar(t, inList: true))) + "]";
                break;
            case string text:
                fields[path] = Scalar(text, inList: false);
                break;
        }
    }

    /// <summary>A value as written, quoted only where the bare text would mislead: empty, edged with spaces, holding the
    /// line's arrow or a line break, or (in a list) a comma or bracket.</summary>
    private static string Scalar(string text, bool inList) =>
        text.Length == 0 || text.Trim().Length != text.Length || text.AsSpan().IndexOfAny(inList ? "→\n,[]" : "→\n") >= 0
            ? "\"" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal) + "\""
            : text;
}
