using Failsafe.Tests.Common;
using Xunit.Abstractions;

namespace Failsafe.DataPlane.Tests;

/// <summary>Each test gets a fresh agent harness on its own temp root, torn down after it.</summary>
public abstract class AgentHarnessTest(ITestOutputHelper output) : IAsyncLifetime
{
    private protected TempDirectory Temp { get; } = new("failsafe-dp");

    private protected AgentHarness Agent { get; private set; } = null!;

    public Task InitializeAsync()
    {
        Agent = new AgentHarness(Temp.Combine("root"), output);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await Agent.DisposeAsync();
        Temp.Dispose();
    }
}
