namespace Failsafe.ControlPlane.Storage;

/// <summary>Who made a change and from where, for the audit trail; their roles and whether their token is an admin's.</summary>
internal sealed record Actor(string Name, string? RemoteAddress)
{
    public static Actor System { get; } = new("system", null);

    /// <summary>The roles of the caller's token (approval gates name them as <c>role:NAME</c>).</summary>
    public IReadOnlyList<string> Roles { get; init; } = [];

    /// <summary>The caller's token is an admin token (the first one, or one made with <c>--admin</c>).</summary>
    public bool IsAdmin { get; init; }
}
