namespace Failsafe.ControlPlane.Analysis;

/// <summary>One series of an instant query's answer (a scalar answer is one series without labels).</summary>
internal sealed record PrometheusSeries(IReadOnlyDictionary<string, string> Labels, double Value)
{
    public string LabelText => PromQlTemplate.OneLine("{" + string.Join(",", Labels.Select(l => $"{l.Key}=\"{l.Value}\"")) + "}");
}
