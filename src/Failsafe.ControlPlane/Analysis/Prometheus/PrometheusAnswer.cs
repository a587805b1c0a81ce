using System.Globalization;
using System.Text.Json;

namespace Failsafe.ControlPlane.Analysis;

/// <summary>Reads the JSON of GET /api/v1/query and turns it into the numbers analysis needs, or a clear error.</summary>
internal static class PrometheusAnswer
{
    /// <summary>The series of a successful answer; throws with Prometheus' own "error" text for a failed one.</summary>
    public static (bool IsScalar, IReadOnlyList<PrometheusSeries> Series) Parse(
        PrometheusQuery query, PrometheusEndpoint endpoint, int statusCode, string reasonPhrase, byte[] body)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            throw NotTheApi(query, endpoint, statusCode, reasonPhrase);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("status", out var status) || status.ValueKind != JsonValueKind.String)
            {
                throw NotTheApi(query, endpoint, statusCode, reasonPhrase);
            }

            if (status.GetString() != "success" || statusCode is < 200 or > 299)
            {
                var error = root.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;
                var type = root.TryGetProperty("errorType", out var t) && t.ValueKind == JsonValueKind.String ? $", {t.GetString()}" : "";
                throw new PrometheusQueryException(
                    $"Prometheus at {endpoint.Display} rejected the {query.Name} query (HTTP {statusCode}{type}){CredentialsHint(statusCode)}: {PromQlTemplate.OneLine(error ?? reasonPhrase)}. {query.Quoted}");
            }

            try
            {
                return ReadData(query, root.GetProperty("data"));
            }
            catch (Exception ex) when (ex is KeyNotFoundException or InvalidOperationException or FormatException or IndexOutOfRangeException)
            {
                throw NotTheApi(query, endpoint, statusCode, reasonPhrase);
            }
        }
    }

    /// <summary>A count: nothing found is 0; several series, NaN, or a negative number is an error.</summary>
    public static double SingleNumber(PrometheusQuery query, IReadOnlyList<PrometheusSeries> series)
    {
        if (series.Count == 0)
        {
            return 0;
        }

        if (series.Count > 1)
        {
            var shown = string.Join(", ", series.Take(3).Select(s => s.LabelText)) + (series.Count > 3 ? ", …" : "");
            throw new PrometheusQueryException(
                $"{query.Subject} returned {series.Count} series ({shown}) where one number was expected; aggregate them, e.g. with sum(...). {query.Quoted}");
        }

        return Count(query, series[0].Value, "");
    }

    /// <summary>One series per "le" label, sorted by upper bound; counts made non-decreasing as histogram_quantile() does.</summary>
    public static IReadOnlyList<(double UpperSeconds, double CumulativeCount)> Buckets(
        PrometheusQuery query, bool isScalar, IReadOnlyList<PrometheusSeries> series)
    {
        if (isScalar)
        {
            throw new PrometheusQueryException(
                $"{query.Subject} returned a single number; it must return one series per \"le\" label, e.g. sum by (le) (...). {query.Quoted}");
        }

        var buckets = new List<(double UpperSeconds, double CumulativeCount)>(series.Count);
        foreach (var s in series)
        {
            if (!s.Labels.TryGetValue("le", out var le))
            {
                throw new PrometheusQueryException(
                    $"{query.Subject} returned a series without an \"le\" label ({s.LabelText}); it must return one series per bucket, e.g. sum by (le) (...). {query.Quoted}");
            }

            if (!TryParseValue(le, out var upper) || double.IsNaN(upper))
            {
                throw new PrometheusQueryException($"{query.Subject} returned le=\"{le}\", which is not a bucket bound. {query.Quoted}");
            }

            buckets.Add((upper, Count(query, s.Value, $" for le=\"{le}\"")));
        }

        buckets.Sort((a, b) => a.UpperSeconds.CompareTo(b.UpperSeconds));
        for (var i = 1; i < buckets.Count; i++)
        {
            if (buckets[i].UpperSeconds == buckets[i - 1].UpperSeconds)
            {
                throw new PrometheusQueryException(
                    $"{query.Subject} returned several series for one bucket bound ({buckets[i].UpperSeconds.ToString(CultureInfo.InvariantCulture)} s); aggregate them with sum by (le) (...). {query.Quoted}");
            }

            // increase() extrapolates each bucket's series on its own, so a bucket can come out a hair below the
            // one before it; a cumulative histogram cannot, and Prometheus' histogram_quantile() evens it out the same way.
            if (buckets[i].CumulativeCount < buckets[i - 1].CumulativeCount)
            {
                buckets[i] = (buckets[i].UpperSeconds, buckets[i - 1].CumulativeCount);
            }
        }

        return buckets;
    }

    /// <summary>A sample value as Prometheus writes it: a Go float, "NaN", "+Inf" or "-Inf".</summary>
    public static bool TryParseValue(string text, out double value)
    {
        switch (text.ToUpperInvariant())
        {
            case "+INF" or "INF" or "+INFINITY" or "INFINITY":
                value = double.PositiveInfinity;
                return true;
            case "-INF" or "-INFINITY":
                value = double.NegativeInfinity;
                return true;
            case "NAN":
                value = double.NaN;
                return true;
            default:
                return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
        }
    }

    private static double Count(PrometheusQuery query, double value, string where)
    {
        if (double.IsNaN(value))
        {
            // NaN is "undefined", not "none": reading it as 0 errors could pass a bad canary.
            throw new PrometheusQueryException(
                $"{query.Subject} returned NaN{where}; it must return a count (an empty answer counts as 0, e.g. use sum(...) rather than scalar(...)). {query.Quoted}");
        }

        if (value < 0 || double.IsInfinity(value))
        {
            throw new PrometheusQueryException(
                $"{query.Subject} returned {value.ToString(CultureInfo.InvariantCulture)}{where}, which is not a count. {query.Quoted}");
        }

        return value;
    }

    private static (bool IsScalar, IReadOnlyList<PrometheusSeries> Series) ReadData(PrometheusQuery query, JsonElement data)
    {
        var resultType = data.GetProperty("resultType").GetString();
        var result = data.GetProperty("result");
        switch (resultType)
        {
            case "scalar":
                return (true, [new PrometheusSeries(new Dictionary<string, string>(), Sample(result))]);
            case "vector":
                var series = new List<PrometheusSeries>(result.GetArrayLength());
                foreach (var item in result.EnumerateArray())
                {
                    var labels = new Dictionary<string, string>(StringComparer.Ordinal);
                    if (item.TryGetProperty("metric", out var metric))
                    {
                        foreach (var label in metric.EnumerateObject())
                        {
                            labels[label.Name] = label.Value.GetString() ?? "";
                        }
                    }

                    series.Add(new PrometheusSeries(labels, Sample(item.GetProperty("value"))));
                }

                return (false, series);
            case "matrix":
                throw new PrometheusQueryException(
                    $"{query.Subject} returned a range vector; it must return an instant vector or a number, e.g. wrap the [range] selector in increase(...). {query.Quoted}");
            default:
                throw new PrometheusQueryException(
                    $"{query.Subject} returned a {resultType}; it must return an instant vector or a number. {query.Quoted}");
        }
    }

    /// <summary>[unix time, "value"].</summary>
    private static double Sample(JsonElement pair)
    {
        var text = pair[1].GetString() ?? throw new FormatException("A sample value is null.");
        return TryParseValue(text, out var value) ? value : throw new FormatException($"\"{text}\" is not a sample value.");
    }

    private static PrometheusQueryException NotTheApi(PrometheusQuery query, PrometheusEndpoint endpoint, int statusCode, string reasonPhrase)
    {
        if (statusCode is < 200 or > 299)
        {
            return new PrometheusQueryException(
                $"Prometheus at {endpoint.Display} answered the {query.Name} query with HTTP {statusCode} {PromQlTemplate.OneLine(reasonPhrase)}{CredentialsHint(statusCode)}.");
        }

        return new PrometheusQueryException(
            $"{endpoint.Display} answered the {query.Name} query with something other than the Prometheus query API's JSON; is that the Prometheus server's address?");
    }

    private static string CredentialsHint(int statusCode) =>
        statusCode is 401 or 403 ? " (check the user and password in the Prometheus URL)" : "";
}
