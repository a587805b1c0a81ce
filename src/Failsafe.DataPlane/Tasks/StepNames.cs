namespace Failsafe.DataPlane;

/// <summary>The names of the steps an agent reports for a task, in the order they happen.</summary>
internal static class StepNames
{
    public const string Download = "download";
    public const string Verify = "verify";
    public const string Extract = "extract";
    public const string PreActivate = "pre-activate";
    public const string Start = "start";
    public const string Health = "health";
    public const string WarmUp = "warm-up";
    /// <summary>The canary joins the proxy's routes.</summary>
    public const string Route = "route";
    public const string Switch = "switch";
    public const string StopOld = "stop-old";
    public const string StopCanary = "stop-canary";
    public const string Retention = "retention";
}
