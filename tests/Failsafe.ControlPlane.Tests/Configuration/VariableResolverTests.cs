using Failsafe.Contracts;
using Failsafe.ControlPlane.Configuration;
using static Failsafe.ControlPlane.Tests.Configuration.SampleConfig;

namespace Failsafe.ControlPlane.Tests.Configuration;

public sealed class VariableResolverTests
{
    private static readonly ServiceConfig Service = Hello(
        Value("LEVEL", "everywhere"),
        Value("LEVEL", "environment", environment: "staging"),
        Value("LEVEL", "group", group: "web"),
        Value("LEVEL", "host", host: "host-1"),
        Value("ONLY_PROD", "p", environment: "prod"),
        Value("COLOUR", "blue", group: "web"),
        Value("COLOUR", "green", group: "canary"),
        Secret("TOKEN", "api-token"));

    [Theory]
    [InlineData("host-1", new[] { "web" }, "host")]
    [InlineData("host-2", new[] { "web" }, "group")]
    [InlineData("host-2", new string[0], "environment")]
    public void MostSpecificValueWins(string host, string[] groups, string expected)
    {
        var errors = new List<string>();
        var service = Service with { Variables = [.. Service.Variables.Where(v => v.Name is "LEVEL" or "TOKEN")] };
        var resolved = VariableResolver.Resolve(service, "staging", host, groups, errors);
        Assert.Empty(errors);
        Assert.Equal(expected, resolved.Values["LEVEL"]);
        Assert.Equal("api-token", resolved.Secrets["TOKEN"]);
        Assert.False(resolved.Values.ContainsKey("TOKEN"));
    }

    [Fact]
    public void EverywhereApplies_WhenNothingMoreSpecificDoes()
    {
        var errors = new List<string>();
        var service = Service with { Variables = [.. Service.Variables.Where(v => v.Name == "LEVEL")] };
        Assert.Equal("everywhere", VariableResolver.Resolve(service, "prod", "host-9", [], errors).Values["LEVEL"]);
        Assert.Empty(errors);
    }

    [Fact]
    public void VariableWithoutValueForTheTarget_IsAnError_NamingVariableHostAndScopes()
    {
        var errors = new List<string>();
        var service = Service with { Variables = [.. Service.Variables.Where(v => v.Name == "ONLY_PROD")] };
        VariableResolver.Resolve(service, "staging", "host-1", ["web"], errors);
        Assert.Equal(
            ["variable ONLY_PROD has no value for host host-1 in environment staging (host groups web): it is set only for environment prod."],
            errors);
    }

    [Fact]
    public void TwoGroupsDisagreeing_IsAnError_NotASilentWinner()
    {
        var errors = new List<string>();
        var service = Service with { Variables = [.. Service.Variables.Where(v => v.Name == "COLOUR")] };
        var resolved = VariableResolver.Resolve(service, "staging", "host-1", ["web", "canary"], errors);
        Assert.Equal(
            ["variable COLOUR has 2 different values for host host-1, equally specific: host group web; host group canary. Set it for host host-1 (or in one place) to decide."],
            errors);
        Assert.False(resolved.Values.ContainsKey("COLOUR"));

        errors.Clear();
        Assert.Equal("blue", VariableResolver.Resolve(service, "staging", "host-1", ["web"], errors).Values["COLOUR"]);
        Assert.Empty(errors);
    }
}
