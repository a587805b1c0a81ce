using Failsafe.Contracts;

namespace Failsafe.IntegrationTests;

/// <summary>Deployments through real server and agent processes on 127.0.0.1.</summary>
[Collection(ClusterCollection.Name)]
public sealed class DeploymentTests(ClusterFixture fx)
{
    /// <summary>A pre-activate hook that fails only on one host: a host-local problem, as in real fleets.</summary>
    private const string FailOnHost2 = "case \"$PWD\" in */host-2/*) echo 'pre-activate: refusing on host-2' >&2; exit 3;; esac";

    [Fact]
    public async Task Deploy_AllHostsInBatchesOfTwo_EveryHostSwitchesAndServesTheRelease()
    {
        var sha = await fx.PushAsync("batches", "1.0.0");

        var d = await fx.DeployAsync("batches", "1.0.0", ClusterFixture.Hosts, batch: 2);

        Assert.Equal(DeploymentStates.Succeeded, d.State);
        Assert.Equal([1, 1, 2], d.Hosts.Select(h => h.Batch));
        foreach (var host in ClusterFixture.Hosts)
        {
            Assert.Equal($"1.0.0-{sha[..12]}", fx.CurrentRelease(host, "batches"));
            Assert.Equal("hello from 1.0.0", await fx.AnswerAsync("batches", host, "1.0.0"));
        }

        var steps = d.Hosts[0].Steps.Select(s => s.Name).ToList();
        Assert.Contains("download", steps);
        Assert.Contains("health", steps);
        Assert.Contains("switch", steps);
        Assert.All(d.Hosts.SelectMany(h => h.Steps), s => Assert.NotEqual(StepStatus.Failed, s.Status));
    }

    [Fact]
    public async Task Deploy_HostFails_HostsAlreadySwitchedGoBackByThemselves()
    {
        var v1 = await fx.PushAsync("autoroll", "1.0.0");
        await fx.PushAsync("autoroll", "2.0.0", preActivate: FailOnHost2);
        Assert.Equal(DeploymentStates.Succeeded, (await fx.DeployAsync("autoroll", "1.0.0", ClusterFixture.Hosts, batch: 3)).State);

        var d = await fx.DeployAsync("autoroll", "2.0.0", ClusterFixture.Hosts, batch: 1);

        Assert.Equal(DeploymentStates.RolledBack, d.State);
        Assert.Contains("host-2", d.Reason);
        Assert.Equal(HostStates.RolledBack, d.Hosts.Single(h => h.Host == "host-1").State);
        Assert.Equal(HostStates.Failed, d.Hosts.Single(h => h.Host == "host-2").State);
        Assert.DoesNotContain(d.Hosts.Single(h => h.Host == "host-3").State, new[] { HostStates.Succeeded, HostStates.RolledBack, HostStates.InProgress });
        foreach (var host in ClusterFixture.Hosts)
        {
            Assert.Equal($"1.0.0-{v1[..12]}", fx.CurrentRelease(host, "autoroll"));
            Assert.Equal("hello from 1.0.0", await fx.AnswerAsync("autoroll", host, "1.0.0"));
        }
    }

    [Fact]
    public async Task Deploy_NoRollback_StopsAndLeavesSwitchedHostsOnTheNewRelease()
    {
        await fx.PushAsync("norollback", "1.0.0");
        var v2 = await fx.PushAsync("norollback", "2.0.0", preActivate: FailOnHost2);
        await fx.DeployAsync("norollback", "1.0.0", ClusterFixture.Hosts, batch: 3);

        var d = await fx.DeployAsync("norollback", "2.0.0", ClusterFixture.Hosts, batch: 1, noRollback: true);

        Assert.Equal(DeploymentStates.Failed, d.State);
        Assert.Equal($"2.0.0-{v2[..12]}", fx.CurrentRelease("host-1", "norollback"));
        Assert.Equal("hello from 1.0.0", await fx.AnswerAsync("norollback", "host-2", "1.0.0"));
        Assert.Equal("hello from 1.0.0", await fx.AnswerAsync("norollback", "host-3", "1.0.0"));
    }

    [Fact]
    public async Task Rollback_ToAnInstalledVersion_SwitchesEveryHostWithoutDownloading()
    {
        var v1 = await fx.PushAsync("rollcmd", "1.0.0");
        await fx.PushAsync("rollcmd", "2.0.0");
        await fx.DeployAsync("rollcmd", "1.0.0", ClusterFixture.Hosts, batch: 3);
        await fx.DeployAsync("rollcmd", "2.0.0", ClusterFixture.Hosts, batch: 3);

        var created = await fx.Client.RollbackAsync("rollcmd", "1.0.0", CancellationToken.None);
        var d = await fx.WaitTerminalAsync(created.Id);

        Assert.Equal(DeploymentKinds.Rollback, d.Kind);
        Assert.Equal(DeploymentStates.Succeeded, d.State);
        Assert.DoesNotContain(d.Hosts.SelectMany(h => h.Steps), s => s.Name == "download");
        foreach (var host in ClusterFixture.Hosts)
        {
            Assert.Equal($"1.0.0-{v1[..12]}", fx.CurrentRelease(host, "rollcmd"));
            Assert.Equal("hello from 1.0.0", await fx.AnswerAsync("rollcmd", host, "1.0.0"));
        }
    }

    [Fact]
    public async Task Rollback_WithoutVersion_GoesBackToEachHostsPreviousRelease()
    {
        var v1 = await fx.PushAsync("rollprev", "1.0.0");
        await fx.PushAsync("rollprev", "2.0.0");
        await fx.DeployAsync("rollprev", "1.0.0", ["host-1"]);
        await fx.DeployAsync("rollprev", "2.0.0", ["host-1"]);

        var d = await fx.WaitTerminalAsync((await fx.Client.RollbackAsync("rollprev", null, CancellationToken.None)).Id);

        Assert.Equal(DeploymentStates.Succeeded, d.State);
        Assert.Equal($"1.0.0-{v1[..12]}", fx.CurrentRelease("host-1", "rollprev"));
    }

    [Fact]
    public async Task Deploy_ManyVersions_KeepsTheLastNReleasesAndNeverTheCurrentOrPrevious()
    {
        var names = new List<string>();
        for (var i = 1; i <= 4; i++)
        {
            var sha = await fx.PushAsync("retention", $"{i}.0.0");
            names.Add($"{i}.0.0-{sha[..12]}");
            Assert.Equal(DeploymentStates.Succeeded, (await fx.DeployAsync("retention", $"{i}.0.0", ["host-1"], keep: 2)).State);
        }

        var releases = Directory.GetDirectories(Path.Combine(fx.Cluster.ServiceDirectory("host-1", "retention"), "releases"))
            .Select(Path.GetFileName).Where(n => !n!.StartsWith('.')).Order(StringComparer.Ordinal).ToList();
        Assert.Equal([names[2], names[3]], releases);
        Assert.Equal(names[3], fx.CurrentRelease("host-1", "retention"));
    }

    [Fact]
    public async Task Push_SameBytesIsANoOp_OtherBytesUnderTheSameVersionAreRefused()
    {
        var (path, sha) = await fx.PackAsync("repush", "1.0.0");
        var first = await fx.Client.PushAsync("repush", "1.0.0", path, sha, CancellationToken.None);
        var again = await fx.Client.PushAsync("repush", "1.0.0", path, sha, CancellationToken.None);
        var (otherPath, otherSha) = await fx.PackAsync("repush", "1.0.0", healthy: false);

        var refused = await Assert.ThrowsAsync<Cli.UserException>(() => fx.Client.PushAsync("repush", "1.0.0", otherPath, otherSha, CancellationToken.None));

        Assert.True(first.Created);
        Assert.False(again.Created);
        Assert.Equal(first.Sha256, again.Sha256);
        Assert.Contains("already exists", refused.Message);
        var releases = await fx.Client.ListReleasesAsync("repush", CancellationToken.None);
        Assert.Equal(sha, Assert.Single(releases).Sha256);
    }

    [Fact]
    public async Task Deploy_WhileAnotherOfTheSameServiceRuns_IsRefusedWithTheRunningOnesName()
    {
        await fx.PushAsync("onlyone", "1.0.0");
        var first = await fx.Client.CreateDeploymentAsync(new CreateDeployment("onlyone", "1.0.0", ClusterFixture.Hosts), CancellationToken.None);

        var refused = await Assert.ThrowsAsync<Cli.UserException>(() => fx.Client.CreateDeploymentAsync(new CreateDeployment("onlyone", "1.0.0", ClusterFixture.Hosts), CancellationToken.None));

        Assert.Contains(first.Id, refused.Message);
        Assert.Equal(DeploymentStates.Succeeded, (await fx.WaitTerminalAsync(first.Id)).State);
    }
}
