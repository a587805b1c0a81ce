using System.Globalization;
using Failsafe.Config.Validation;
using Failsafe.Contracts;

namespace Failsafe.Config.Writing;

/// <summary>
/// The normal form back in the words of the files: YAML keys (<c>drain-timeout</c>, not DrainTimeoutSeconds),
/// durations and percentages as written (<c>1m30s</c>, <c>0.5%</c>), every default spelled out. Reading what this
/// writes gives the same document again, so a plan can name each field the way the user's file does.
/// </summary>
public static class ConfigToYaml
{
    public static YamlMap Service(ServiceConfig service)
    {
        var run = service.Run;
        return new YamlMap
        {
            { "service", service.Name },
            {
                "run", new YamlMap
                {
                    { "entry", run.Entry },
                    { "port", Int(run.Port) },
                    { "health", new YamlMap { { "path", run.HealthPath }, { "timeout", ScalarText.Duration(run.HealthTimeoutSeconds) } } },
                    { "warm-up", new YamlMap { { "requests", Int(run.WarmUpRequests) }, { "paths", run.WarmUpPaths } } },
                    { "drain-timeout", ScalarText.Duration(run.DrainTimeoutSeconds) },
                    { "keep-releases", Int(run.KeepReleases) },
                }
            },
            { "hooks", NonEmpty(Hooks(service.Hooks)) },
            { "rollout", service.Rollout is { } rollout ? Rollout(rollout) : null },
            { "variables", NonEmpty(Variables(service.Variables)) },
            { "substitute", service.Substitute.Count == 0 ? null : service.Substitute },
            { "environments", service.Environments },
            { "lifecycle", service.Lifecycle },
        };
    }

    public static YamlMap Environment(EnvironmentConfig environment) => new()
    {
        { "host-groups", environment.HostGroups },
        { "hosts", environment.Hosts },
        {
            "approval", environment.Approval is { } gate
                ? new YamlMap { { "required", Int(gate.Required) }, { "approvers", gate.Approvers } }
                : null
        },
    };

    /// <summary>Hosts and tags after <c>include</c> was flattened: what the group is, not how it was written.</summary>
    public static YamlMap HostGroup(HostGroupConfig group) => new()
    {
        { "hosts", group.Hosts },
        { "tags", group.Tags },
    };

    /// <summary>A lifecycle is its list of phases.</summary>
    public static IReadOnlyList<string> Lifecycle(LifecycleConfig lifecycle) => lifecycle.Phases;

    private static YamlMap Hooks(IReadOnlyList<HookConfig> hooks)
    {
        var map = new YamlMap();
        foreach (var hook in hooks)
        {
            map.Add(hook.Name, new YamlMap { { "command", hook.Command }, { "timeout", ScalarText.Duration(hook.TimeoutSeconds) } });
        }

        return map;
    }

    private static YamlMap Rollout(RolloutPolicy rollout)
    {
        var steps = rollout.Steps ?? RolloutPolicy.Default.Steps!;
        var analysis = rollout.Analysis ?? new AnalysisSettings();
        return new YamlMap
        {
            { "steps", steps.Select(s => ScalarText.Percent(s.Weight)).ToList() },
            { "hold", steps.Count == 0 ? null : ScalarText.Duration(steps[0].HoldSeconds) },
            { "canary-hosts", Int(rollout.CanaryHosts) },
            { "batch-hold", ScalarText.Duration(rollout.BatchHoldSeconds) },
            {
                "analysis", new YamlMap
                {
                    { "false-alarm", Percent(analysis.FalseAlarmRate) },
                    { "min-error-increase", Percent(analysis.MinErrorRateIncrease) },
                    { "min-latency-increase", Percent(analysis.MinLatencyIncrease) },
                    { "min-requests", analysis.MinRequests.ToString(CultureInfo.InvariantCulture) },
                    { "initial-delay", ScalarText.Duration(analysis.InitialDelaySeconds) },
                    {
                        "prometheus", analysis.Prometheus is { } prometheus
                            ? new YamlMap
                            {
                                { "url", prometheus.Url },
                                { "requests-query", prometheus.RequestsQuery },
                                { "errors-query", prometheus.ErrorsQuery },
                                { "latency-buckets-query", prometheus.LatencyBucketsQuery },
                            }
                            : null
                    },
                }
            },
        };
    }

    /// <summary>Each variable as <c>{value|secret, environments, host-groups, hosts}</c>, every scoped value as <c>{value|secret}</c>.</summary>
    private static YamlMap Variables(IReadOnlyList<VariableConfig> variables)
    {
        var map = new YamlMap();
        foreach (var byName in variables.GroupBy(v => v.Name, StringComparer.Ordinal))
        {
            var body = new YamlMap();
            if (byName.FirstOrDefault(v => v.Scope == VariableScope.Everywhere) is { } everywhere)
            {
                body.Add("value", everywhere.Value);
                body.Add("secret", everywhere.Secret);
            }

            body.Add("environments", NonEmpty(Scoped(byName.Where(v => v.Scope.Environment is not null), v => v.Scope.Environment!)));
            body.Add("host-groups", NonEmpty(Scoped(byName.Where(v => v.Scope.HostGroup is not null), v => v.Scope.HostGroup!)));
            body.Add("hosts", NonEmpty(Scoped(byName.Where(v => v.Scope.Host is not null), v => v.Scope.Host!)));
            map.Add(byName.Key, body);
        }

        return map;
    }

    private static YamlMap Scoped(IEnumerable<VariableConfig> variables, Func<VariableConfig, string> scope)
    {
        var map = new YamlMap();
        foreach (var variable in variables)
        {
            map.Add(scope(variable), new YamlMap { { "value", variable.Value }, { "secret", variable.Secret } });
        }

        return map;
    }

    private static YamlMap? NonEmpty(YamlMap map) => map.Count == 0 ? null : map;

    private static string? Int(int? value) => value?.ToString(CultureInfo.InvariantCulture);

    // A fraction as the percentage the file held: 0.005 → "0.5%". Rounding drops the binary tail of ×100.
    private static string Percent(double fraction) => ScalarText.Percent(Math.Round(fraction * 100, 9));
}
