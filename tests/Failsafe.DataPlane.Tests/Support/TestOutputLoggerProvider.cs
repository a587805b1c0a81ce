using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Failsafe.DataPlane.Tests;

internal sealed class TestOutputLoggerProvider(ITestOutputHelper output) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new TestOutputLogger<TestOutputLoggerProvider>(output);

    public void Dispose()
    {
    }
}
