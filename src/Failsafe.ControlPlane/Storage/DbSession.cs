using System.Data.Common;

namespace Failsafe.ControlPlane.Storage;

/// <summary>A connection and its transaction, with the few helpers plain SQL needs.</summary>
internal sealed class DbSession(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
{
    public CancellationToken CancellationToken => cancellationToken;

    public async Task<int> ExecuteAsync(string sql, params (string Name, object? Value)[] parameters)
    {
        await using var command = Create(sql, parameters);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<T?> ScalarAsync<T>(string sql, params (string Name, object? Value)[] parameters)
    {
        await using var command = Create(sql, parameters);
        var value = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return value is null or DBNull ? default : (T)Convert.ChangeType(value, Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task<List<T>> QueryAsync<T>(string sql, Func<DbDataReader, T> map, params (string Name, object? Value)[] parameters)
    {
        await using var command = Create(sql, parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var rows = new List<T>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(map(reader));
        }

        return rows;
    }

    public async Task<T?> QuerySingleOrDefaultAsync<T>(string sql, Func<DbDataReader, T> map, params (string Name, object? Value)[] parameters)
        where T : class
    {
        var rows = await QueryAsync(sql, map, parameters).ConfigureAwait(false);
        return rows.Count == 0 ? null : rows[0];
    }

    private DbCommand Create(string sql, (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value switch
            {
                null => DBNull.Value,
                bool b => b ? 1 : 0,
                DateTimeOffset t => t.ToUnixTimeMilliseconds(),
                _ => value,
            };
            command.Parameters.Add(parameter);
        }

        return command;
    }
}
