using Npgsql;

namespace CoConstruisons.Tests.Shared;

/// <summary>The PostgreSQL database tests use (started by `make test`), and cleaning up a test's own schema.</summary>
public static class TestDatabase
{
    public const string ConnectionString =
        "Host=127.0.0.1;Port=5432;Database=coconstruisons_test;Username=coconstruisons;Password=coconstruisons";

    /// <summary>Drops a test's schema and everything in it (Marten's tables, Quartz's tables).</summary>
    public static async Task DropSchemaAsync(string schema)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"drop schema if exists \"{schema}\" cascade", connection);
        await drop.ExecuteNonQueryAsync();
    }
}
