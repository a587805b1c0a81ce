namespace Failsafe.ControlPlane.Tests.Infrastructure;

internal static class Eventually
{
    /// <summary>Polls <paramref name="probe"/> until it returns a value that satisfies <paramref name="done"/>, or fails with the last value.</summary>
    public static async Task<T> UntilAsync<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan? timeout = null, string? what = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        while (true)
        {
            var value = await probe();
            if (done(value))
            {
                return value;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Timed out waiting for {what ?? "a condition"}; last value: {value}");
            }

            await Task.Delay(25);
        }
    }
}
