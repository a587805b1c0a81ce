using Failsafe.DataPlane.Traffic;

namespace Failsafe.DataPlane.Tests.Traffic;

public sealed class WarmUpTests
{
    [Fact]
    public async Task Run_HealthyInstance_AllSucceed()
    {
        await using var upstream = await TestUpstream.StartAsync("a");

        var result = await WarmUp.RunAsync(upstream.Port, ["/name", "slow?ms=50"], 10, TimeSpan.FromSeconds(10), CancellationToken.None);

        Assert.Equal((10, 10), (result.Requests, result.Succeeded));
        Assert.True(result.AllSucceeded);
        Assert.InRange(result.Slowest, TimeSpan.FromMilliseconds(45), TimeSpan.FromSeconds(5));
        Assert.Null(result.FirstError);
    }

    [Fact]
    public async Task Run_PathFails_CountsAndNamesIt()
    {
        await using var upstream = await TestUpstream.StartAsync("a");

        var result = await WarmUp.RunAsync(upstream.Port, ["/name", "/status?code=500"], 6, TimeSpan.FromSeconds(10), CancellationToken.None);

        Assert.Equal((6, 3), (result.Requests, result.Succeeded));
        Assert.Equal("GET /status?code=500: 500", result.FirstError);
    }

    [Fact]
    public async Task Run_NothingListening_FailsWithinTimeout()
    {
        var result = await WarmUp.RunAsync(FreePort.Find(), [], 3, TimeSpan.FromSeconds(5), CancellationToken.None);

        Assert.Equal(0, result.Succeeded);
        Assert.False(result.AllSucceeded);
        Assert.NotNull(result.FirstError);
    }

    [Fact]
    public async Task Run_InstanceTooSlow_StopsAtTimeout()
    {
        await using var upstream = await TestUpstream.StartAsync("a");

        var result = await WarmUp.RunAsync(upstream.Port, ["/slow?ms=10000"], 4, TimeSpan.FromMilliseconds(300), CancellationToken.None);

        Assert.Equal(0, result.Succeeded);
        Assert.Contains("no answer within", result.FirstError, StringComparison.Ordinal);
    }
}
