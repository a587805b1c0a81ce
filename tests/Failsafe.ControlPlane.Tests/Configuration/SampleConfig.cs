using Failsafe.Contracts;

namespace Failsafe.ControlPlane.Tests.Configuration;

/// <summary>A small fleet: staging (host-1 by name, host-2 by tag) and prod (host-3, gated on alice's approval), and hello.</summary>
internal static class SampleConfig
{
    public static ServiceConfig Hello(params VariableConfig[] variables) => new(
        "hello",
        new RunConfig("./hello", Port: null, KeepReleases: 3, DrainTimeoutSeconds: 4),
        [new HookConfig("pre-activate", "./migrate.sh", 90)],
        null,
        variables.Length > 0 ? variables : [new VariableConfig("GREETING", "hello", null, VariableScope.Everywhere)],
        ["appsettings.json"],
        ["staging", "prod"],
        null);

    public static ConfigDocument Document(params ServiceConfig[] services) => new(
        services.Length > 0 ? services : [Hello()],
        [
            new EnvironmentConfig("prod", ["prod-web"], [], new ApprovalGate(1, ["alice", "role:release-managers"])),
            new EnvironmentConfig("staging", ["staging-web"], [], null),
        ],
        [
            new HostGroupConfig("prod-web", ["host-3"], []),
            new HostGroupConfig("staging-web", ["host-1"], ["stage"]),
        ],
        [new LifecycleConfig("default", ["staging", "prod"])]);

    public static VariableConfig Value(string name, string value, string? environment = null, string? group = null, string? host = null) =>
        new(name, value, null, new VariableScope(environment, group, host));

    public static VariableConfig Secret(string name, string secret, string? environment = null) =>
        new(name, null, secret, new VariableScope(environment));
}
