using Failsafe.Contracts;
using Failsafe.DataPlane.Traffic;
using Microsoft.Extensions.Primitives;
using Xunit.Abstractions;

namespace Failsafe.DataPlane.Tests.Traffic;

public sealed class RoutingTests(ITestOutputHelper output) : ProxyTest(output)
{
    [Fact]
    public async Task Weight25_1000Requests_CanaryShareWithinBinomialBound()
    {
        var stable = await StartUpstreamAsync("stable");
        var canary = await StartUpstreamAsync("canary");
        await ApplyAsync(stable.Backend(), canary.Backend(), weight: 25);

        var canaryAnswers = 0;
        for (var i = 0; i < 1000; i++)
        {
            canaryAnswers += await Client.GetStringAsync(Url("/name")) == "canary" ? 1 : 0;
        }

        // Mean 250, standard deviation 13.7: five of them either side (a false alarm once in ~3 million runs).
        Assert.InRange(canaryAnswers, 182, 318);
        Assert.Equal(canaryAnswers, Observer.Requests.Count(r => r.Canary));
    }

    [Theory]
    [InlineData(0, "stable")]
    [InlineData(100, "canary")]
    public async Task Weight_AtEnds_SendsEverythingToOneSide(int weight, string expected)
    {
        var stable = await StartUpstreamAsync("stable");
        var canary = await StartUpstreamAsync("canary");
        await ApplyAsync(stable.Backend(), canary.Backend(), weight);

        for (var i = 0; i < 50; i++)
        {
            Assert.Equal(expected, await Client.GetStringAsync(Url("/name")));
        }
    }

    [Fact]
    public async Task StickyCookie_FirstResponseSetsIt_LaterRequestsStayOnThatSide()
    {
        var stable = await StartUpstreamAsync("stable");
        var canary = await StartUpstreamAsync("canary");
        await ApplyAsync(stable.Backend(), canary.Backend(), weight: 50, new TrafficSettings(PublicPort, StickyCookie: "fs_side"));

        var sides = new HashSet<string>();
        for (var client = 0; client < 20; client++)
        {
            using var first = await Client.GetAsync(Url("/name"));
            var served = await first.Content.ReadAsStringAsync();
            var cookie = Assert.Single(first.Headers.GetValues("Set-Cookie"));
            Assert.StartsWith($"fs_side={served}; Path=/; HttpOnly", cookie, StringComparison.Ordinal);
            sides.Add(served);
            for (var i = 0; i < 10; i++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, Url("/name"));
                request.Headers.Add("Cookie", $"other=1; fs_side={served}");
                using var next = await Client.SendAsync(request);
                Assert.Equal(served, await next.Content.ReadAsStringAsync());
                Assert.False(next.Headers.Contains("Set-Cookie"));
            }
        }

        Assert.Equal(2, sides.Count);
    }

    [Fact]
    public async Task StickyCookie_CanaryAtZeroWeight_CanaryCookieGoesToStable()
    {
        var stable = await StartUpstreamAsync("stable");
        var canary = await StartUpstreamAsync("canary");
        await ApplyAsync(stable.Backend(), canary.Backend(), weight: 0, new TrafficSettings(PublicPort, StickyCookie: "fs_side"));

        using var request = new HttpRequestMessage(HttpMethod.Get, Url("/name"));
        request.Headers.Add("Cookie", "fs_side=canary");
        using var response = await Client.SendAsync(request);

        Assert.Equal("stable", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task StickyHeader_SameValueSameSide_ShareFollowsWeight()
    {
        var stable = await StartUpstreamAsync("stable");
        var canary = await StartUpstreamAsync("canary");
        await ApplyAsync(stable.Backend(), canary.Backend(), weight: 30, new TrafficSettings(PublicPort, StickyHeader: "X-User"));

        var canaryUsers = 0;
        for (var user = 0; user < 200; user++)
        {
            var sides = new HashSet<string>();
            for (var i = 0; i < 3; i++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, Url("/name"));
                request.Headers.Add("X-User", $"user-{user}");
                sides.Add(await (await Client.SendAsync(request)).Content.ReadAsStringAsync());
            }

            canaryUsers += Assert.Single(sides) == "canary" ? 1 : 0;
        }

        // Mean 60, standard deviation 6.5 if the hash spreads users evenly.
        Assert.InRange(canaryUsers, 28, 92);
    }

    [Theory]
    [InlineData("canary", "canary")]
    [InlineData("CANARY", "canary")]
    [InlineData("stable", "stable")]
    [InlineData("2.0.0", "canary")]
    [InlineData("1.0.0", "stable")]
    public async Task VersionHeader_PicksSideWhateverTheWeight(string value, string expected)
    {
        var stable = await StartUpstreamAsync("stable");
        var canary = await StartUpstreamAsync("canary");
        await ApplyAsync(stable.Backend("1.0.0") with { }, canary.Backend("2.0.0"), weight: expected == "canary" ? 0 : 100);

        for (var i = 0; i < 20; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, Url("/name"));
            request.Headers.Add("X-Failsafe-Version", value);
            using var response = await Client.SendAsync(request);
            Assert.Equal(expected, await response.Content.ReadAsStringAsync());
            Assert.Equal(expected == "canary" ? "2.0.0" : "1.0.0", response.Headers.GetValues("X-Failsafe-Version").Single());
        }
    }

    [Fact]
    public void StickyHash_SameValue_SameBucketEveryTime()
    {
        // Fixed expectations: the bucket of a value must not change between processes or releases.
        Assert.Equal(StickyHash.Bucket("user-1"), StickyHash.Bucket("user-1"));
        var buckets = Enumerable.Range(0, 10_000).Select(i => StickyHash.Bucket($"u{i}")).ToArray();
        Assert.All(buckets, b => Assert.InRange(b, 0, 99));
        Assert.InRange(buckets.Count(b => b < 25), 2_300, 2_700);
    }

    [Theory]
    [InlineData("fs_side=canary", "canary")]
    [InlineData("a=1; fs_side=stable; b=2", "stable")]
    [InlineData("a=1;fs_side=\"canary\"", "canary")]
    [InlineData("xfs_side=canary", "")]
    [InlineData("", "")]
    public void CookieValue_FindsTheNamedCookie(string header, string expected) =>
        Assert.Equal(expected, RouteChooser.CookieValue(new StringValues(header), "fs_side").ToString());
}
