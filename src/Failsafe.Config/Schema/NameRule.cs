using System.Text.RegularExpressions;

namespace Failsafe.Config.Schema;

/// <summary>What a name of one kind may be: checked by the loader, and published as a pattern in the JSON Schema.</summary>
/// <param name="What">The kind of name in a sentence, e.g. "service name".</param>
/// <param name="Pattern">The rule as a regular expression (ECMAScript-compatible, for the JSON Schema).</param>
/// <param name="Hint">The rule in words, e.g. "use lowercase letters, digits and '-', starting with a letter (e.g. billing-api)".</param>
internal sealed record NameRule(string What, string Pattern, int MaxLength, string Hint)
{
    private readonly Regex regex = new(Pattern, RegexOptions.CultureInvariant);

    public bool IsValid(string name) => name.Length <= MaxLength && regex.IsMatch(name);

    public string Problem(string name) => $"'{name}' is not a valid {What}: {Hint}";
}

internal static class NameRules
{
    private const string Lowercase = "^[a-z][a-z0-9-]*$";

    // Same rule as Failsafe.Artifacts.ServiceName, which the release manifest enforces.
    public static readonly NameRule Service = new("service name", Lowercase, Artifacts.ServiceName.MaxLength,
        "use 1 to 63 lowercase letters, digits and '-', starting with a letter (e.g. billing-api)");

    public static readonly NameRule Environment = new("environment name", Lowercase, 63,
        "use 1 to 63 lowercase letters, digits and '-', starting with a letter (e.g. prod)");

    public static readonly NameRule HostGroup = new("host group name", Lowercase, 63,
        "use 1 to 63 lowercase letters, digits and '-', starting with a letter (e.g. prod-web)");

    public static readonly NameRule Lifecycle = new("lifecycle name", Lowercase, 63,
        "use 1 to 63 lowercase letters, digits and '-', starting with a letter (e.g. default)");

    // Agent names (Failsafe.ControlPlane AgentNames): what people type as host names.
    public static readonly NameRule Host = new("host name", "^[a-z0-9][a-z0-9._-]*$", 63,
        "use 1 to 63 lowercase letters, digits, '-', '_' and '.', starting with a letter or digit (e.g. web-1)");

    public static readonly NameRule Tag = new("tag", "^[a-z0-9][a-z0-9._-]*$", 63,
        "use 1 to 63 lowercase letters, digits, '-', '_' and '.', starting with a letter or digit (e.g. staging)");

    public static readonly NameRule Variable = new("variable name", "^[A-Z_][A-Z0-9_]*$", 128,
        "use capital letters, digits and '_', not starting with a digit (e.g. LOG_LEVEL)");

    public static readonly NameRule Secret = new("secret name", "^[A-Za-z0-9][A-Za-z0-9._-]*$", 128,
        "use letters, digits, '-', '_' and '.', starting with a letter or digit (e.g. db-password)");

    public static readonly NameRule Approver = new("approver", "^(role:)?[A-Za-z0-9][A-Za-z0-9._@-]*$", 128,
        "write a token name (alice) or a role (role:release-managers)");
}
