using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Failsafe.DataPlane.Tests;

/// <summary>Agent log lines in the test's output, so a failing test shows what the agent did.</summary>
internal sealed class TestOutputLogger<T>(ITestOutputHelper? output) : ILogger<T>
{
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => output is not null;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        try
        {
            output?.WriteLine($"{TimeProvider.System.GetUtcNow():HH:mm:ss.fff} {logLevel,-11} {formatter(state, exception)}{(exception is null ? "" : " " + exception)}");
        }
        catch (InvalidOperationException)
        {
            // The test already finished; a late line from a background monitor has nowhere to go.
        }
    }
}
