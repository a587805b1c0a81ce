namespace Failsafe.ControlPlane.Analysis;

/// <summary>One query as sent, with what its messages need to name it.</summary>
internal sealed record PrometheusQuery(string Name, string Text, string Service, string Version)
{
    public string Subject => PromQlTemplate.OneLine($"The {Name} query for {Service} {Version}");

    public string Quoted => $"Query: {PromQlTemplate.OneLine(Text)}";
}
