using Failsafe.Config.Validation;
using Failsafe.Contracts;

namespace Failsafe.Config.Reading;

internal sealed record GroupDraft(string Name, IReadOnlyList<string> Hosts, IReadOnlyList<string> Tags, IReadOnlyList<Ref> Include);

/// <summary>The fleet as read from all its files, before names are matched across them.</summary>
internal sealed class FleetParts
{
    public List<Defined<EnvironmentConfig>> Environments { get; } = [];

    public List<(string Environment, Ref Group)> EnvironmentGroups { get; } = [];

    public List<Defined<GroupDraft>> HostGroups { get; } = [];

    public List<Defined<LifecycleConfig>> Lifecycles { get; } = [];

    public List<(string Lifecycle, Ref Phase)> Phases { get; } = [];
}

/// <summary>Reads one fleet file into <see cref="FleetParts"/>, checking what a shape cannot say.</summary>
internal static class FleetReader
{
    public static void Read(ObjectValue root, FileReport report, FleetParts parts)
    {
        foreach (var (key, value) in root.Map("environments"))
        {
            var body = (ObjectValue)value.Value;
            var groups = body.List("host-groups");
            parts.EnvironmentGroups.AddRange(groups.Select(g => (key.Text, new Ref(report, g))));
            var environment = new EnvironmentConfig(
                key.Text,
                Sorted(groups),
                Sorted(body.List("hosts")),
                Approval(body.Object("approval"), report));
            parts.Environments.Add(new Defined<EnvironmentConfig>(environment, new Ref(report, key)));
        }

        foreach (var (key, value) in root.Map("host-groups"))
        {
            var body = (ObjectValue)value.Value;
            var group = new GroupDraft(
                key.Text,
                Sorted(body.List("hosts")),
                Sorted(body.List("tags")),
                body.List("include").Select(i => new Ref(report, i)).ToList());
            parts.HostGroups.Add(new Defined<GroupDraft>(group, new Ref(report, key)));
        }

        foreach (var (key, value) in root.Map("lifecycles"))
        {
            var phases = new List<string>();
            foreach (var phase in value.Items)
            {
                if (phases.Contains(phase.Text))
                {
                    report.Add(phase.At, phase.Field,
                        $"{string.Join(" → ", phases.Append(phase.Text))} goes back to {phase.Text}: each environment may appear once");
                    continue;
                }

                phases.Add(phase.Text);
                parts.Phases.Add((key.Text, new Ref(report, phase)));
            }

            parts.Lifecycles.Add(new Defined<LifecycleConfig>(new LifecycleConfig(key.Text, phases), new Ref(report, key)));
        }
    }

    private static List<string> Sorted(IReadOnlyList<Node> names) => names.Select(n => n.Text).Order(StringComparer.Ordinal).ToList();

    private static ApprovalGate? Approval(ObjectValue? approval, FileReport report)
    {
        if (approval?.Int("required") is not { } required || approval["approvers"] is not { } approversNode)
        {
            return null;
        }

        var approvers = Sorted(approversNode.Items);
        var node = approval["required"]!;
        if (required > approvers.Count && !approvers.Any(a => a.StartsWith("role:", StringComparison.Ordinal)))
        {
            report.Add(node.At, node.Field,
                $"requires {required} approvals but lists only {approvers.Count} approver{(approvers.Count == 1 ? "" : "s")} and no role");
        }

        return new ApprovalGate(required, approvers);
    }
}
