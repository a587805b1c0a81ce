using Failsafe.ControlPlane.Storage;
using Npgsql;

namespace Failsafe.ControlPlane.Tests;

public sealed class PostgresConnectionStringTests
{
    [Theory]
    [InlineData("Host=db;Password=hunter2;Database=failsafe", "hunter2")]
    [InlineData("Host=db;PWD=hunter2;Database=failsafe", "hunter2")]
    [InlineData("host=db; password = hunter2 ;database=failsafe", "hunter2")]
    [InlineData("Host=db;Password='hun;ter=2';Database=failsafe", "hun;ter=2")]
    [InlineData("Host=db;Password=\"hun;ter=2\";Database=failsafe", "hun;ter=2")]
    [InlineData("Host=db;Password=hunter2;this is not a connection string", "hunter2")]
    [InlineData("Password=hunter2", "hunter2")]
    public void Redact_AnyWayThePasswordIsWritten_HidesIt_KeepsTheRest(string connectionString, string password)
    {
        var redacted = PostgresConnectionString.Redact(connectionString);
        Assert.DoesNotContain(password, redacted, StringComparison.Ordinal);
        Assert.DoesNotContain("hun", redacted, StringComparison.Ordinal);
        Assert.Contains("***", redacted, StringComparison.Ordinal);
        if (connectionString.StartsWith("host", StringComparison.OrdinalIgnoreCase))
        {
            Assert.Contains("db", redacted, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Redact_NoPassword_LeavesTheStringAlone() =>
        Assert.Equal("host=db;database=failsafe", PostgresConnectionString.Redact("Host=db;Database=failsafe"), ignoreCase: true);

    [Theory]
    [InlineData("Host=db;Password=hunter2;Database=failsafe")]
    [InlineData("Host=db;Password='hunter2';Database=failsafe")]
    [InlineData("Host=db;Password=hunter2;garbage")]
    public void Scrub_MessageQuotingThePassword_HidesEveryOccurrence(string connectionString)
    {
        var scrubbed = PostgresConnectionString.Scrub("could not use 'hunter2' (hunter2) for db", connectionString);
        Assert.DoesNotContain("hunter2", scrubbed, StringComparison.Ordinal);
        Assert.Equal(2, scrubbed.Split("***").Length - 1);
        Assert.EndsWith("(***) for db", scrubbed, StringComparison.Ordinal);
    }

    [Fact]
    public void Describe_NamesHostPortAndDatabase_NotThePassword()
    {
        var builder = new NpgsqlConnectionStringBuilder("Host=db.example;Port=6432;Database=prod;Username=failsafe;Password=hunter2");
        Assert.Equal("postgresql://db.example:6432/prod", PostgresConnectionString.Describe(builder));
        Assert.Equal("postgresql://db.example:5432/failsafe", PostgresConnectionString.Describe(new("Host=db.example;Username=failsafe")));
    }
}
