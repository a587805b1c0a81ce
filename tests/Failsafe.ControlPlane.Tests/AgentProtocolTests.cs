using System.Net;
using System.Net.Http.Headers;
using Failsafe.Contracts;
using Failsafe.ControlPlane.Tests.Infrastructure;

namespace Failsafe.ControlPlane.Tests;

public sealed class AgentProtocolTests
{
    [Fact]
    public async Task Blob_StreamsArtifactWithLengthAndRanges()
    {
        await using var fleet = await Fleet.StartAsync(agents: 1);
        var packed = await fleet.PushAsync("hello", "1.2.0");
        var agent = fleet["host-1"];
        var blobPath = Path.Join(fleet.Server.Options.DataDirectory, "blobs", "sha256", packed.Sha256[..2], packed.Sha256);
        var bytes = await File.ReadAllBytesAsync(blobPath);

        using var whole = await agent.SendAsync(new HttpRequestMessage(HttpMethod.Get, AgentRoutes.BlobFor(packed.Sha256)));
        Assert.Equal(HttpStatusCode.OK, whole.StatusCode);
        Assert.Equal(packed.Size, whole.Content.Headers.ContentLength);
        Assert.Equal(bytes, await whole.Content.ReadAsByteArrayAsync());

        // A download that broke off resumes where it stopped.
        var ranged = new HttpRequestMessage(HttpMethod.Get, AgentRoutes.BlobFor(packed.Sha256));
        ranged.Headers.Range = new RangeHeaderValue(10, null);
        using var rest = await agent.SendAsync(ranged);
        Assert.Equal(HttpStatusCode.PartialContent, rest.StatusCode);
        Assert.Equal(bytes[10..], await rest.Content.ReadAsByteArrayAsync());

        using var missing = await agent.SendAsync(new HttpRequestMessage(HttpMethod.Get, AgentRoutes.BlobFor(new string('f', 64))));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        using var malformed = await agent.SendAsync(new HttpRequestMessage(HttpMethod.Get, AgentRoutes.BlobFor("..%2F..%2Ffailsafe.db")));
        Assert.Equal(HttpStatusCode.NotFound, malformed.StatusCode);
    }

    [Fact]
    public async Task TaskRoutes_OnAnotherAgentsTask_Are404()
    {
        await using var fleet = await Fleet.StartAsync(agents: 2);
        await fleet.PushAsync("hello", "1.2.0");
        await fleet.DeployAsync(new CreateDeployment("hello", "1.2.0", ["host-1"]));
        var task = await fleet["host-1"].NextTaskAsync();

        using var step = await fleet["host-2"].SendAsync(new HttpRequestMessage(HttpMethod.Post, AgentRoutes.StepsFor(task.Id))
        {
            Content = System.Net.Http.Json.JsonContent.Create(new StepReport("x", StepStatus.Running, DateTimeOffset.UtcNow, 0, null)),
        });
        Assert.Equal(HttpStatusCode.NotFound, step.StatusCode);
        using var complete = await fleet["host-2"].CompleteAsync(task, succeeded: false, error: "not mine");
        Assert.Equal(HttpStatusCode.NotFound, complete.StatusCode);

        var deployment = await fleet.Admin.GetJsonAsync<DeploymentInfo>(ApiRoutes.DeploymentFor("d-1"));
        Assert.Equal(HostStates.InProgress, deployment.Hosts[0].State);
        Assert.Empty(deployment.Hosts[0].Steps);
    }
}
