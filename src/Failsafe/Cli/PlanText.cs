using System.Text;
using Failsafe.Contracts;

namespace Failsafe.Cli;

/// <summary>A plan as people read it: one line an object (+ add, ~ change, - remove) with its fields below, then the drift.</summary>
internal static class PlanText
{
    public static string Format(ConfigPlan plan)
    {
        var text = new StringBuilder();
        text.AppendLine($"Plan against revision {plan.Revision}" + (plan.AppliedCommit is null ? ":" : $" (applied from commit {plan.AppliedCommit}):"));
        if (plan.Changes.Count == 0)
        {
            text.AppendLine("  no changes: the server matches the files.");
        }

        foreach (var change in plan.Changes)
        {
            text.AppendLine($"  {Sign(change.Action)} {change.Kind} {change.Name}");
            foreach (var field in change.Fields)
            {
                text.AppendLine($"      {field}");
            }
        }

        if (plan.Drift.Count > 0)
        {
            text.AppendLine();
            text.AppendLine("Drift (server state the files do not describe):");
            foreach (var drift in plan.Drift)
            {
                text.AppendLine($"  ! {drift.Kind} {drift.Name} {drift.Detail}");
            }
        }

        var counts = plan.Changes.GroupBy(c => c.Action).ToDictionary(g => g.Key, g => g.Count());
        text.Append($"{counts.GetValueOrDefault(ChangeKinds.Add)} to add, {counts.GetValueOrDefault(ChangeKinds.Change)} to change, {counts.GetValueOrDefault(ChangeKinds.Remove)} to remove.");
        return text.ToString();
    }

    private static char Sign(string action) => action switch
    {
        ChangeKinds.Add => '+',
        ChangeKinds.Remove => '-',
        _ => '~',
    };
}
