namespace Failsafe.Config;

/// <summary>Sentences for names that point at nothing, shared by the loader and <see cref="ConfigRules"/>.</summary>
internal static class Sentences
{
    public static string ServiceEnvironment(string service, string environment) =>
        $"service {service} deploys to environment '{environment}', which the fleet does not define";

    public static string ServiceLifecycle(string service, string lifecycle) =>
        $"service {service} follows lifecycle '{lifecycle}', which the fleet does not define";

    public static string VariableEnvironment(string service, string variable, string environment) =>
        $"variable {variable} of service {service} is set for environment '{environment}', which the fleet does not define";

    public static string VariableHostGroup(string service, string variable, string group) =>
        $"variable {variable} of service {service} is set for host group '{group}', which the fleet does not define";

    public static string LifecyclePhase(string lifecycle, string environment) =>
        $"lifecycle {lifecycle} names environment '{environment}', which the fleet does not define";

    public static string EnvironmentHostGroup(string environment, string group) =>
        $"environment {environment} names host group '{group}', which the fleet does not define";

    public static string HostGroupInclude(string group, string included) =>
        $"host group {group} includes host group '{included}', which the fleet does not define";
}
