using Microsoft.Extensions.Logging;

namespace Failsafe.DataPlane;

/// <summary>Every log line of the agent, with stable event ids (3000–3999).</summary>
internal static partial class Log
{
    // Agent life (3000–3099)
    [LoggerMessage(3000, LogLevel.Information, "Agent {Name} ({AgentId}) online, polling {Server}")]
    public static partial void AgentOnline(ILogger logger, string name, string agentId, string server);

    [LoggerMessage(3001, LogLevel.Critical, "Agent stopped: {Reason}")]
    public static partial void AgentStopped(ILogger logger, string reason);

    [LoggerMessage(3002, LogLevel.Information, "Agent stopping; {Count} instance(s) left running for the next agent to adopt")]
    public static partial void InstancesLeftRunning(ILogger logger, int count);

    [LoggerMessage(3003, LogLevel.Information, "{Service}: removed {Staging} staging directory(ies) and {Links} temporary link(s) left by an interrupted agent")]
    public static partial void LeftoversRemoved(ILogger logger, string service, int staging, int links);

    [LoggerMessage(3004, LogLevel.Error, "{Service}: recovery failed: {Reason}")]
    public static partial void RecoveryFailed(ILogger logger, string service, string reason);

    // Enrollment (3100–3199)
    [LoggerMessage(3100, LogLevel.Information, "Enrolled as {Name} ({AgentId}) with {Server}")]
    public static partial void Enrolled(ILogger logger, string name, string agentId, string server);

    [LoggerMessage(3101, LogLevel.Information, "Already enrolled as {Name} ({AgentId}); the enrollment token given is ignored")]
    public static partial void EnrollTokenIgnored(ILogger logger, string name, string agentId);

    [LoggerMessage(3102, LogLevel.Warning, "Cannot reach {Server} to enroll ({Reason}); retrying")]
    public static partial void EnrollRetrying(ILogger logger, string server, string reason);

    // Server connection (3200–3299)
    [LoggerMessage(3200, LogLevel.Warning, "Lost the server ({Reason}); retrying with backoff, instances keep serving")]
    public static partial void ServerUnreachable(ILogger logger, string reason);

    [LoggerMessage(3201, LogLevel.Information, "Server reachable again after {Failures} failed attempt(s)")]
    public static partial void ServerReachable(ILogger logger, int failures);

    [LoggerMessage(3202, LogLevel.Debug, "Step {Step} of task {TaskId} not reported: {Reason}")]
    public static partial void StepNotPosted(ILogger logger, long taskId, string step, string reason);

    [LoggerMessage(3203, LogLevel.Warning, "Result of task {TaskId} not delivered ({Reason}); retrying until the server takes it")]
    public static partial void CompletionRetrying(ILogger logger, long taskId, string reason);

    [LoggerMessage(3204, LogLevel.Warning, "The server refused the result of task {TaskId}: {Reason}")]
    public static partial void CompletionRefused(ILogger logger, long taskId, string reason);

    [LoggerMessage(3205, LogLevel.Information, "Task {TaskId} was already completed; sending its result again")]
    public static partial void TaskRedelivered(ILogger logger, long taskId);

    [LoggerMessage(3206, LogLevel.Warning, "Artifact download failed ({Reason}); attempt {Attempt} again in {DelaySeconds:0.0} s")]
    public static partial void DownloadRetrying(ILogger logger, int attempt, double delaySeconds, string reason);

    // Tasks (3300–3399)
    [LoggerMessage(3300, LogLevel.Information, "Task {TaskId}: {Kind} {Service} {Target}")]
    public static partial void TaskStarted(ILogger logger, long taskId, string kind, string service, string target);

    [LoggerMessage(3301, LogLevel.Information, "Task {TaskId}: {Kind} {Service} succeeded; current is {Current}")]
    public static partial void TaskSucceeded(ILogger logger, long taskId, string kind, string service, string current);

    [LoggerMessage(3302, LogLevel.Warning, "Task {TaskId}: {Kind} {Service} failed: {Reason}")]
    public static partial void TaskFailed(ILogger logger, long taskId, string kind, string service, string reason);

    [LoggerMessage(3303, LogLevel.Error, "Task {TaskId} failed unexpectedly")]
    public static partial void TaskCrashed(ILogger logger, long taskId, Exception exception);

    [LoggerMessage(3304, LogLevel.Information, "{Service}: installed {Release}")]
    public static partial void ReleaseInstalled(ILogger logger, string service, string release);

    [LoggerMessage(3305, LogLevel.Warning, "{Service}: {Release} on disk no longer matches its manifest ({Reason}); installing it again")]
    public static partial void DamagedReleaseReplaced(ILogger logger, string service, string release, string reason);

    [LoggerMessage(3306, LogLevel.Warning, "{Service}: the serving instance of {Release} is not healthy ({Reason}); starting a new one")]
    public static partial void ServingUnhealthy(ILogger logger, string service, string release, string reason);

    [LoggerMessage(3307, LogLevel.Information, "Hook {Hook} of {Service} finished: exit code {ExitCode}, timed out {TimedOut}, {DurationMs} ms")]
    public static partial void HookFinished(ILogger logger, string hook, string service, int? exitCode, bool timedOut, long durationMs);

    [LoggerMessage(3308, LogLevel.Information, "{Service}: {Release} is installed with other variable values in its files and is not in use; installing it again to render them")]
    public static partial void ReleaseRerendered(ILogger logger, string service, string release);

    // Instances (3400–3499)
    [LoggerMessage(3400, LogLevel.Information, "{Service}: started {Release} as pid {Pid} on port {Port}")]
    public static partial void InstanceStarted(ILogger logger, string service, string release, int pid, int port);

    [LoggerMessage(3401, LogLevel.Warning, "{Service}: {Release} exited with code {ExitCode}; restarting after backoff")]
    public static partial void InstanceCrashed(ILogger logger, string service, string release, int? exitCode);

    [LoggerMessage(3402, LogLevel.Information, "{Service}: {Release} restarted (restart {Restarts}, after {DelaySeconds} s)")]
    public static partial void InstanceRestarted(ILogger logger, string service, string release, int restarts, double delaySeconds);

    [LoggerMessage(3403, LogLevel.Error, "{Service}: {Release} could not be started: {Reason}")]
    public static partial void InstanceStartFailed(ILogger logger, string service, string release, string reason);

    [LoggerMessage(3404, LogLevel.Information, "{Service}: {Release} exited with code {ExitCode} before it was promoted")]
    public static partial void InstanceExitedBeforePromotion(ILogger logger, string service, string release, int? exitCode);

    [LoggerMessage(3405, LogLevel.Warning, "{Service}: {Release} did not stop within {Seconds} s of SIGTERM; sent SIGKILL")]
    public static partial void InstanceKilled(ILogger logger, string service, string release, int seconds);

    [LoggerMessage(3406, LogLevel.Information, "{Service}: stopped {Release}")]
    public static partial void InstanceStopped(ILogger logger, string service, string release);

    [LoggerMessage(3407, LogLevel.Information, "{Service}: adopted the running instance of {Release} (pid {Pid}, port {Port}) left by the previous agent")]
    public static partial void InstanceAdopted(ILogger logger, string service, string release, int pid, int port);

    [LoggerMessage(3408, LogLevel.Warning, "{Service}: stopping orphan instance of {Release} (pid {Pid}) left by the previous agent")]
    public static partial void OrphanStopping(ILogger logger, string service, string release, int pid);

    [LoggerMessage(3409, LogLevel.Error, "{Service}: cannot read the manifest of current release {Release}: {Reason}")]
    public static partial void CurrentUnreadable(ILogger logger, string service, string release, string reason);

    [LoggerMessage(3207, LogLevel.Warning, "Could not apply the server's canary routes: {Reason}")]
    public static partial void RoutesNotApplied(ILogger logger, string reason);

    [LoggerMessage(3208, LogLevel.Debug, "Metrics not reported ({Reason}); the next report carries on")]
    public static partial void MetricsNotReported(ILogger logger, string reason);
}
