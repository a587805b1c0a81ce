using System.Net;
using System.Net.Sockets;
using Failsafe.Contracts;
using Failsafe.ControlPlane.Hosting;
using Failsafe.ControlPlane.Tests.Infrastructure;
using Failsafe.Tests.Common;
using Npgsql;

namespace Failsafe.ControlPlane.Tests;

/// <summary>A server started with a PostgreSQL store (<c>--store</c>), end to end.</summary>
public sealed class PostgresServerTests
{
    private const string Password = "pw-that-must-never-show";

    [Fact]
    public async Task Server_OnPostgres_DeploysThroughTheApi_AndKeepsEverythingAcrossARestart()
    {
        await using var db = await PostgresTestDatabase.CreateAsync();
        await using var fleet = await Fleet.StartAsync(agents: 2, o => o with { Store = db.ConnectionString });
        await fleet.PushAsync("hello", "1.2.0");
        var deployment = await fleet.DeployAsync(new CreateDeployment("hello", "1.2.0", All: true));
        foreach (var agent in fleet.Agents)
        {
            (await agent.CompleteAsync(await agent.NextTaskAsync())).EnsureSuccessStatusCode();
        }

        await fleet.WaitAsync(deployment.Id, d => d.State == DeploymentStates.Succeeded, "success");
        await fleet.RestartServerAsync();

        var after = await fleet.Admin.GetJsonAsync<DeploymentInfo>(ApiRoutes.DeploymentFor(deployment.Id));
        Assert.Equal(DeploymentStates.Succeeded, after.State);
        Assert.All(after.Hosts, h => Assert.Equal(HostStates.Succeeded, h.State));
        Assert.Equal(["host-1", "host-2"], (await fleet.Admin.GetJsonAsync<List<AgentInfo>>(ApiRoutes.Agents)).Select(a => a.Name));
        var events = await fleet.Admin.GetJsonAsync<List<EventInfo>>(ApiRoutes.Events + "?limit=1000");
        Assert.Contains(events, e => e.Action == "deployment.succeeded" && e.Target == deployment.Id);
        Assert.False(File.Exists(Path.Join(fleet.Server.Options.DataDirectory, "failsafe.db")), "the SQLite file was made although --store names PostgreSQL");

        // The state is in PostgreSQL, as another client sees it.
        await using var connection = new NpgsqlConnection(db.ConnectionString);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand("SELECT COUNT(*) FROM deployments WHERE state = 'succeeded'", connection);
        Assert.Equal(1L, await count.ExecuteScalarAsync());
    }

    [Fact]
    public void Start_PostgresUnreachable_FailsInOneLineNamingTheServer_NotThePassword()
    {
        using var data = new TempDirectory("fs-pg-start");
        var port = ClosedPort();
        var error = Assert.Throws<ServerStartupException>(() => ServerHost.Build(TestServer.DefaultOptions(data.Path) with
        {
            Store = $"Host=127.0.0.1;Port={port};Database=prod;Username=failsafe;Password={Password}",
            StoreConnectRetryLimit = TimeSpan.FromMilliseconds(500),
        }));

        Assert.StartsWith($"Cannot use the PostgreSQL database at postgresql://127.0.0.1:{port}/prod: ", error.Message, StringComparison.Ordinal);
        AssertOneLineWithoutPassword(error);
    }

    [Theory]
    [InlineData($"Host=127.0.0.1;Pasword={Password};Database=prod")]
    [InlineData($"Host=127.0.0.1;Password={Password};Port={Password}")]
    [InlineData($"Host=127.0.0.1;Password={Password};not a pair")]
    public void Start_InvalidConnectionString_FailsInOneLine_NotThePassword(string store)
    {
        using var data = new TempDirectory("fs-pg-start");
        var error = Assert.Throws<ServerStartupException>(() => ServerHost.Build(TestServer.DefaultOptions(data.Path) with { Store = store }));
        Assert.StartsWith("The PostgreSQL connection string is not valid (", error.Message, StringComparison.Ordinal);
        AssertOneLineWithoutPassword(error);
    }

    [Fact]
    public async Task Start_WrongPassword_FailsInOneLine_NotThePassword()
    {
        await using var db = await PostgresTestDatabase.CreateAsync();
        using var data = new TempDirectory("fs-pg-start");
        var store = new NpgsqlConnectionStringBuilder(db.ConnectionString) { Password = Password }.ConnectionString;
        var error = Assert.Throws<ServerStartupException>(() => ServerHost.Build(TestServer.DefaultOptions(data.Path) with { Store = store }));
        Assert.Contains(PostgresErrorCodes.InvalidPassword, error.Message, StringComparison.Ordinal);
        Assert.Contains(db.Name, error.Message, StringComparison.Ordinal);
        AssertOneLineWithoutPassword(error);
    }

    private static void AssertOneLineWithoutPassword(Exception error)
    {
        Assert.DoesNotContain('\n', error.Message);
        for (var e = error; e is not null; e = e.InnerException)
        {
            Assert.DoesNotContain(Password, e.Message, StringComparison.Ordinal);
        }
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
