namespace Failsafe.ControlPlane.Storage;

/// <summary>
/// The one engine-specific seam of the store. The stores speak portable SQL (named @parameters,
/// INSERT … RETURNING, ON CONFLICT, integer timestamps in Unix milliseconds, 0/1 booleans) through a
/// <see cref="DbSession"/>; each engine (<see cref="SqliteDatabase"/>, <see cref="PostgresDatabase"/>) has its own
/// migration scripts. A parameter that may be null and is only tested with IS NULL is written
/// <c>CAST(@p AS TEXT) IS NULL</c>: PostgreSQL cannot tell the type of an untyped null otherwise.
/// </summary>
internal interface IDatabase
{
    /// <summary>Where the data lives, for messages.</summary>
    string Location { get; }

    /// <summary>Applies the numbered migrations not yet applied; refuses a schema newer than this build knows.</summary>
    Task MigrateAsync(CancellationToken cancellationToken);

    /// <summary>Runs <paramref name="work"/> in a read-only snapshot.</summary>
    Task<T> ReadAsync<T>(Func<DbSession, Task<T>> work, CancellationToken cancellationToken);

    /// <summary>Runs <paramref name="work"/> in one serialised write transaction: all of it commits, or none of it.</summary>
    Task<T> WriteAsync<T>(Func<DbSession, Task<T>> work, CancellationToken cancellationToken);

    bool IsUniqueViolation(Exception exception);
}
