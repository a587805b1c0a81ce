namespace Failsafe.DataPlane;

internal static class ChildEnvironment
{
    /// <summary>
    /// Instances and hooks inherit the agent's environment minus every FAILSAFE_* variable: those
    /// are the agent's own settings (the enrollment token among them) and must not leak into
    /// services; the agent then sets the FAILSAFE_* variables meant for the child.
    /// </summary>
    public static void RemoveAgentVariables(IDictionary<string, string?> environment)
    {
        foreach (var key in environment.Keys.Where(k => k.StartsWith("FAILSAFE_", StringComparison.Ordinal)).ToList())
        {
            environment.Remove(key);
        }
    }
}
