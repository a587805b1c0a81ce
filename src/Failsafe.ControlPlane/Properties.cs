using System.Runtime.Versioning;

// Failsafe runs its server on Linux (file modes, rename semantics).
[assembly: SupportedOSPlatform("linux")]
