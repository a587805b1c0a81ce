namespace Failsafe.ControlPlane.Storage;

internal static class DatabaseExtensions
{
    public static Task WriteAsync(this IDatabase database, Func<DbSession, Task> work, CancellationToken cancellationToken) =>
        database.WriteAsync(
            async session =>
            {
                await work(session).ConfigureAwait(false);
                return true;
            },
            cancellationToken);
}
