using Failsafe.Tests.Common;

namespace Failsafe.Config.Tests;

/// <summary>A folder of config files written by a test, loaded with <see cref="ConfigLoader"/>.</summary>
internal sealed class ConfigTree : IDisposable
{
    private readonly TempDirectory directory = new("failsafe-config");

    public string Path => directory.Path;

    public ConfigTree With(string relative, string content)
    {
        directory.WriteFile(relative, content);
        return this;
    }

    public ConfigLoadResult Load(string relative = ".") => ConfigLoader.Load(directory.Combine(relative));

    /// <summary>The mistakes as the CLI prints them.</summary>
    public string[] Errors(string relative = ".") => [.. Load(relative).Errors.Select(e => e.ToString())];

    public void Dispose() => directory.Dispose();
}
