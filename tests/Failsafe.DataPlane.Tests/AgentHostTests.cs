using Failsafe.Tests.Common;
using Microsoft.Extensions.Logging;

namespace Failsafe.DataPlane.Tests;

public sealed class AgentHostTests : IDisposable
{
    private readonly TempDirectory _temp = new("failsafe-dp");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task RunAsync_NotEnrolledAndNoToken_ThrowsOneLineAgentException()
    {
        var options = new AgentOptions { Root = _temp.Path, ServerUrl = "https://127.0.0.1:1", Name = "host-1" };

        var error = await Assert.ThrowsAsync<AgentException>(
            () => AgentHost.RunAsync(options, logging => logging.ClearProviders(), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.Equal("This agent is not enrolled yet: give it an enrollment token (fse1.…) created on the server.", error.Message);
    }

    [Theory]
    [InlineData("bad name!", "https://x.example", "Agent name 'bad name!' is not valid")]
    [InlineData("host-1", "http://x.example", "Server URL 'http://x.example' is not valid")]
    public async Task RunAsync_InvalidOptions_ThrowsBeforeStarting(string name, string url, string expected)
    {
        var options = new AgentOptions { Root = _temp.Path, ServerUrl = url, Name = name };

        var error = await Assert.ThrowsAsync<AgentException>(() => AgentHost.RunAsync(options, CancellationToken.None));

        Assert.StartsWith(expected, error.Message, StringComparison.Ordinal);
    }
}
