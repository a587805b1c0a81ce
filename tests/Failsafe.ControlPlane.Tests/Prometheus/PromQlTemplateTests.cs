using Failsafe.Contracts;
using Failsafe.ControlPlane.Analysis;

namespace Failsafe.ControlPlane.Tests.Prometheus;

public sealed class PromQlTemplateTests
{
    [Theory]
    [InlineData(92.3, "93s")]
    [InlineData(600, "600s")]
    [InlineData(30, "30s")]
    [InlineData(29.001, "30s")]
    [InlineData(1, "30s")]
    [InlineData(0, "30s")]
    [InlineData(-5, "30s")]
    public void Duration_Window_IsWholeSecondsRoundedUpAtLeastTheMinimum(double seconds, string expected) =>
        Assert.Equal(expected, PromQlTemplate.Duration(TimeSpan.FromSeconds(seconds)));

    [Fact]
    public void Render_DefaultQuery_FillsEveryPlaceholder() =>
        Assert.Equal(
            "sum(increase(failsafe_proxy_requests_total{service=\"web\",version=\"1.2.0\"}[120s]))",
            PromQlTemplate.Render("requests", PrometheusSource.DefaultRequestsQuery, "web", "1.2.0", TimeSpan.FromMinutes(2)));

    [Theory]
    [InlineData("a\"b", "x{v=\"a\\\"b\"}")]
    [InlineData("a\\b", "x{v=\"a\\\\b\"}")]
    [InlineData("a'b", "x{v=\"a'b\"}")]
    [InlineData("a\nb\u0001", "x{v=\"a\\nb\\u0001\"}")]
    public void Render_DoubleQuoted_EscapesLikeGo(string version, string expected) =>
        Assert.Equal(expected, PromQlTemplate.Render("requests", "x{v=\"{{version}}\"}", "web", version, TimeSpan.Zero));

    [Fact]
    public void Render_SingleQuoted_EscapesTheSingleQuoteOnly() =>
        Assert.Equal("x{v='a\\'b\"c'}", PromQlTemplate.Render("requests", "x{v='{{ version }}'}", "web", "a'b\"c", TimeSpan.Zero));

    [Fact]
    public void Render_EscapedQuoteBeforePlaceholder_StaysInsideTheString() =>
        Assert.Equal("x{v=\"\\\"a\\\"\\\"\"}", PromQlTemplate.Render("requests", "x{v=\"\\\"{{version}}\\\"\"}", "web", "a\"", TimeSpan.Zero));

    [Fact]
    public void Render_RawString_InsertsPlainValuesAndRefusesBackticks()
    {
        Assert.Equal("x{v=`1.0`}", PromQlTemplate.Render("requests", "x{v=`{{version}}`}", "web", "1.0", TimeSpan.Zero));

        var e = Assert.Throws<PrometheusQueryException>(() => PromQlTemplate.Render("requests", "x{v=`{{version}}`}", "web", "1.0`}", TimeSpan.Zero));
        Assert.StartsWith("The version \"1.0`}\" holds a backtick", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("failsafe_{{service}}_total{version=\"{{version}}\"}", "In the requests query {{service}} must stand inside a quoted string")]
    [InlineData("x # {{version}}", "In the requests query {{version}} must stand inside a quoted string")]
    [InlineData("x{v=\"{{verison}}\"}", "The requests query has an unknown placeholder {{verison}}; the placeholders are {{service}}, {{version}} and {{window}}.")]
    [InlineData("sum(increase(failsafe_proxy_requests_total{service=\"{{service}}\"}[{{window}}]))", "The requests query must contain {{version}}")]
    [InlineData("  ", "The requests query is empty")]
    public void Check_UnusableTemplate_SaysWhy(string template, string message)
    {
        var e = Assert.Throws<PrometheusQueryException>(() => PromQlTemplate.Check("requests", template));

        Assert.StartsWith(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_DefaultSource_Passes() => PrometheusMetricSource.Check(new PrometheusSource("http://127.0.0.1:9090"));

    [Theory]
    [InlineData("http://prometheus:9090", "http://prometheus:9090/api/v1/query", false)]
    [InlineData("https://u:p@prometheus.example/prom/", "https://prometheus.example/prom/api/v1/query", true)]
    public void Parse_Url_StripsCredentialsIntoAHeader(string url, string queryUri, bool authorized)
    {
        var endpoint = PrometheusEndpoint.Parse(url);

        Assert.Equal(queryUri, endpoint.QueryUri.ToString());
        Assert.Equal(authorized, endpoint.Authorization is not null);
        Assert.DoesNotContain("u:p", endpoint.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ftp://admin:s3cret@prometheus:21", "The Prometheus URL \"ftp://prometheus:21\" is not an absolute http or https URL")]
    [InlineData("admin:s3cret@prometheus:9090", "The Prometheus URL \"prometheus:9090\" is not an absolute http or https URL")]
    [InlineData("http://admin:s3cret@prometheus:9090/?token=x", "The Prometheus URL must be the server's address without a query string or fragment, e.g. http://prometheus:9090.")]
    public void Parse_BadUrl_SaysWhyWithoutTheSecret(string url, string message)
    {
        var e = Assert.Throws<PrometheusQueryException>(() => PrometheusEndpoint.Parse(url));

        Assert.StartsWith(message, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Buckets_Unsorted_ComeBackSortedAndNonDecreasing()
    {
        var query = new PrometheusQuery("latency buckets", "q", "web", "1.0");
        PrometheusSeries Le(string le, double count) => new(new Dictionary<string, string> { ["le"] = le }, count);

        var buckets = PrometheusAnswer.Buckets(query, false, [Le("+Inf", 10), Le("0.5", 9.0), Le("0.25", 9.2), Le("1e-1", 2)]);

        Assert.Equal([(0.1, 2), (0.25, 9.2), (0.5, 9.2), (double.PositiveInfinity, 10)], buckets);
    }

    [Fact]
    public void Buckets_SameBoundTwice_SaysToSumByLe()
    {
        var query = new PrometheusQuery("latency buckets", "q", "web", "1.0");
        PrometheusSeries Le(string le, string instance) => new(new Dictionary<string, string> { ["le"] = le, ["instance"] = instance }, 1);

        var e = Assert.Throws<PrometheusQueryException>(() => PrometheusAnswer.Buckets(query, false, [Le("0.5", "a"), Le("0.5", "b")]));

        Assert.StartsWith("The latency buckets query for web 1.0 returned several series for one bucket bound (0.5 s); aggregate them with sum by (le) (...).", e.Message, StringComparison.Ordinal);
    }
}
