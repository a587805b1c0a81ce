using Failsafe.Config.Validation;
using Failsafe.Contracts;

namespace Failsafe.Config.Reading;

/// <summary>The <c>variables</c> map as one <see cref="VariableConfig"/> per (name, scope).</summary>
internal static class VariableReader
{
    private static readonly (string Key, int Level)[] Scopes = [("environments", 1), ("host-groups", 2), ("hosts", 3)];

    /// <summary>Sorted by name, then everywhere, environments, host groups, hosts, each by name.</summary>
    public static IReadOnlyList<VariableConfig> Read(
        IReadOnlyList<(Node Key, Node Value)> entries, FileReport report, List<(VariableConfig, Ref)> scoped)
    {
        var variables = new List<VariableConfig>();
        foreach (var (key, value) in entries)
        {
            var name = key.Text;
            if (value.Value is string text)
            {
                variables.Add(new VariableConfig(name, text, null, VariableScope.Everywhere));
                continue;
            }

            var body = (ObjectValue)value.Value;
            var hasScopes = Scopes.Any(s => body[s.Key] is not null);
            if (One(body, value, report, required: !hasScopes) is var (plain, secret) && (plain ?? secret) is not null)
            {
                variables.Add(new VariableConfig(name, plain, secret, VariableScope.Everywhere));
            }

            foreach (var (scopeKey, level) in Scopes)
            {
                foreach (var (scopeName, scopeValue) in body.Map(scopeKey))
                {
                    var scope = level switch
                    {
                        1 => new VariableScope(Environment: scopeName.Text),
                        2 => new VariableScope(HostGroup: scopeName.Text),
                        _ => new VariableScope(Host: scopeName.Text),
                    };
                    VariableConfig? variable = scopeValue.Value is string scalar
                        ? new VariableConfig(name, scalar, null, scope)
                        : One((ObjectValue)scopeValue.Value, scopeValue, report, required: true) is var (v, s) && (v ?? s) is not null
                            ? new VariableConfig(name, v, s, scope)
                            : null;
                    if (variable is not null)
                    {
                        variables.Add(variable);
                        if (level < 3)
                        {
                            scoped.Add((variable, new Ref(report, scopeName)));
                        }
                    }
                }
            }
        }

        return variables
            .OrderBy(v => v.Name, StringComparer.Ordinal)
            .ThenBy(Level)
            .ThenBy(v => v.Scope.Environment ?? v.Scope.HostGroup ?? v.Scope.Host, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>The nodes holding plain values (not secrets) of one variable, where <c>#{NAME}</c> may be used.</summary>
    public static IEnumerable<Node> ValueNodes(Node value)
    {
        if (value.Value is string)
        {
            yield return value;
            yield break;
        }

        var body = (ObjectValue)value.Value;
        if (body["value"] is { } plain)
        {
            yield return plain;
        }

        foreach (var (key, _) in Scopes)
        {
            foreach (var (_, scopeValue) in body.Map(key))
            {
                if (scopeValue.Value is string)
                {
                    yield return scopeValue;
                }
                else if (((ObjectValue)scopeValue.Value)["value"] is { } scopedPlain)
                {
                    yield return scopedPlain;
                }
            }
        }
    }

    private static int Level(VariableConfig v) =>
        v.Scope.Host is not null ? 3 : v.Scope.HostGroup is not null ? 2 : v.Scope.Environment is not null ? 1 : 0;

    private static (string? Value, string? Secret) One(ObjectValue body, Node at, FileReport report, bool required)
    {
        var (value, secret) = (body.Text("value"), body.Text("secret"));
        if (value is not null && secret is not null)
        {
            report.Add(at.At, at.Field, "give a value or a secret, not both");
            return (null, null);
        }

        if (value is null && secret is null && required)
        {
            report.Add(at.At, at.Field, "give a value or a secret (e.g. value: info, or secret: db-password)");
        }

        return (value, secret);
    }
}
