using System.Net;
using Failsafe.Contracts;
using Failsafe.DataPlane.Traffic;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace Failsafe.DataPlane.Tests;

/// <summary>
/// The agent's parts wired as the host wires them, on a root directory of the test's. Several
/// harnesses on one root stand for successive agent processes on one host.
/// </summary>
internal sealed class AgentHarness : IAsyncDisposable
{
    public static readonly SupervisorOptions FastSupervisor = new()
    {
        RestartBackoffBase = TimeSpan.FromMilliseconds(100),
        RestartBackoffMax = TimeSpan.FromMilliseconds(400),
        OrphanStopTimeout = TimeSpan.FromSeconds(5),
        AdoptedPollInterval = TimeSpan.FromMilliseconds(50),
    };

    private readonly ITestOutputHelper? _output;

    public AgentHarness(string root, ITestOutputHelper? output = null, SupervisorOptions? options = null, IReadOnlyList<string>? tags = null)
    {
        _output = output;
        Host = new HostPaths(root);
        Supervisor = new InstanceSupervisor(options ?? FastSupervisor, TimeProvider.System, Logger<InstanceSupervisor>());
        Installer = new ReleaseInstaller(Logger<ReleaseInstaller>());
        Hooks = new HookRunner(TimeProvider.System, Logger<HookRunner>());
        Health = new HealthGate(TimeProvider.System);
        Inventory = new InventoryReader(Host, Supervisor, tags);
        Metrics = new ProxyMetrics(TimeProvider.System);
        Proxy = new TrafficProxy(IPAddress.Loopback, Metrics, TimeProvider.System, NullLoggerFactory.Instance);
        Routing = new ServiceRouting(Proxy, Metrics, Supervisor, Host, Logger<ServiceRouting>());
        Executor = new TaskExecutor(Host, Installer, Supervisor, Hooks, Health, Routing, Inventory, TimeProvider.System, Logger<TaskExecutor>());
        Recovery = new Recovery(Host, Supervisor, Logger<Recovery>());
    }

    public HostPaths Host { get; }

    public InstanceSupervisor Supervisor { get; }

    public ReleaseInstaller Installer { get; }

    public HookRunner Hooks { get; }

    public HealthGate Health { get; }

    public InventoryReader Inventory { get; }

    public ProxyMetrics Metrics { get; }

    public TrafficProxy Proxy { get; }

    public ServiceRouting Routing { get; }

    public TaskExecutor Executor { get; }

    public Recovery Recovery { get; }

    public FileArtifactSource Artifacts { get; } = new();

    public List<StepReport> Reports { get; } = [];

    public static ActivationSettings Settings(int keep = 5, int health = 10, int drain = 5, int hook = 10) => new(keep, health, drain, hook);

    public TestOutputLogger<T> Logger<T>() => new(_output);

    public ServicePaths Service(string name) => Host.Service(name);

    public void Serve(PackedRelease release) => Artifacts.Add(release.Sha256, release.Path);

    public async Task<TaskResult> InstallAsync(long id, string service, PackedRelease release, ActivationSettings? settings = null)
    {
        Serve(release);
        return await RunAsync(new AgentTask(id, TaskKinds.Install, "d-" + id, service, release.Manifest.Version, null, release.Ref, settings ?? Settings()));
    }

    public async Task<TaskResult> RunAsync(AgentTask task)
    {
        Reports.Clear();
        var result = await Executor.ExecuteAsync(task, Artifacts, step =>
        {
            lock (Reports)
            {
                Reports.Add(step);
            }

            _output?.WriteLine($"  step {step.Name} {step.Status} {step.DurationMs} ms {step.Output?.Split('\n')[0]}");
            return Task.CompletedTask;
        }, CancellationToken.None);
        _output?.WriteLine($"task {task.Id} {task.Kind}: {(result.Succeeded ? "succeeded" : "failed: " + result.Error)}");
        return result;
    }

    /// <summary>The final status of each step, in order (running reports left out).</summary>
    public IReadOnlyList<string> FinalSteps() =>
        [.. Reports.Where(r => r.Status != StepStatus.Running).Select(r => $"{r.Name}:{r.Status}")];

    /// <summary>Stops every instance this harness still supervises (a test never leaves processes behind).</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var instance in Supervisor.All())
        {
            await Supervisor.StopAsync(instance, TimeSpan.FromSeconds(2), CancellationToken.None);
        }

        Health.Dispose();
        await Proxy.DisposeAsync();
    }
}
