namespace Failsafe.DataPlane;

/// <summary>Who this agent is to the server: <c>agent/identity.json</c>. The key and certificates sit beside it as PEM files.</summary>
internal sealed record AgentIdentity(string AgentId, string Name, string ServerUrl, string CaFingerprint);
