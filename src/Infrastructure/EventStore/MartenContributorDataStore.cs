using System.Security.Cryptography;
using System.Text.Json.Nodes;
using CoConstruisons.Application.Abstractions;
using CoConstruisons.Application.Consensus;
using CoConstruisons.Domain.Contributions;
using Marten;
using Npgsql;

namespace CoConstruisons.Infrastructure.EventStore;

/// <summary>
/// A contributor's records in Marten's tables, found by their pseudonym wherever it appears in a
/// JSON body (events and documents alike), so that a record type added later is exported and
/// erased without a list to keep up to date. Pseudonyms are <c>c_</c> + 32 hex digits, so the
/// quoted pseudonym matches nothing else.
/// </summary>
public sealed class MartenContributorDataStore(IDocumentStore store) : IContributorDataStore
{
    /// <summary>Documents that exist only for one contributor: deleted, not anonymised.</summary>
    private static readonly string[] OwnTables = ["mt_doc_contributor", "mt_doc_contributorprogress", "mt_doc_answerreceipt"];

    private const string ProjectConsensusTable = "mt_doc_projectconsensus";

    public async Task<IReadOnlyList<ContributorRecord>> ExportAsync(string contributorId, CancellationToken cancellationToken)
    {
        var quoted = Quoted(contributorId);
        await using var connection = await OpenAsync(cancellationToken);
        var records = new List<ContributorRecord>();
        var events = Table(EventSchema, "mt_events");
        await using (var command = new NpgsqlCommand($"select type, timestamp, data::text from {events} where strpos(data::text, @id) > 0 order by seq_id", connection))
        {
            command.Parameters.AddWithValue("id", quoted);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                Collect(records, "event", reader.GetString(0), reader.GetFieldValue<DateTimeOffset>(1), reader.GetString(2), contributorId, whole: false);
            }
        }

        foreach (var table in await DocumentTablesAsync(connection, cancellationToken))
        {
            await using var command = new NpgsqlCommand(
                $"select data::text, id::text = @raw or starts_with(id::text, @prefix) from {Table(DocumentSchema, table)} where strpos(data::text, @id) > 0 or id::text = @raw or starts_with(id::text, @prefix)", connection);
            command.Parameters.AddWithValue("id", quoted);
            command.Parameters.AddWithValue("raw", contributorId);
            command.Parameters.AddWithValue("prefix", contributorId + "|");
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                Collect(records, "document", table["mt_doc_".Length..], null, reader.GetString(0), contributorId, whole: reader.GetBoolean(1));
            }
        }

        return records;
    }

    /// <summary>
    /// A record is the contributor's own when it is theirs by id or names them as its contributor
    /// (an answer, a skip, a consent, an exposure): exported whole. A record about many contributors
    /// (an item's progress, a consensus fit) gives only the entries keyed by this contributor (their
    /// estimated skill), never the other contributors' pseudonyms.
    /// </summary>
    private static void Collect(List<ContributorRecord> records, string kind, string type, DateTimeOffset? at, string json, string contributorId, bool whole)
    {
        var node = JsonNode.Parse(json);
        if (whole || (node is JsonObject o && o.Any(p => string.Equals(p.Key, "ContributorId", StringComparison.OrdinalIgnoreCase)
            && p.Value is JsonValue v && v.TryGetValue<string>(out var id) && id == contributorId)))
        {
            records.Add(new ContributorRecord(kind, type, at, json));
            return;
        }

        foreach (var (path, value) in KeyedBy(node, contributorId, "$"))
        {
            records.Add(new ContributorRecord(kind + "-entry", type + " " + path, at, value?.ToJsonString() ?? "null"));
        }
    }

    private static IEnumerable<(string Path, JsonNode? Value)> KeyedBy(JsonNode? node, string key, string path)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (name, child) in o)
                {
                    if (name == key)
                    {
                        yield return (path, child);
                    }
                    else
                    {
                        foreach (var found in KeyedBy(child, key, path + "." + name))
                        {
                            yield return found;
                        }
                    }
                }

                break;
            case JsonArray a:
                for (var i = 0; i < a.Count; i++)
                {
                    foreach (var found in KeyedBy(a[i], key, $"{path}[{i}]"))
                    {
                        yield return found;
                    }
                }

                break;
        }
    }

    public async Task<ErasureReport> EraseAsync(string contributorId, CancellationToken cancellationToken)
    {
        var quoted = Quoted(contributorId);
        var anonymousId = IContributorDataStore.ErasedPrefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var anonymous = Quoted(anonymousId);
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var tables = await DocumentTablesAsync(connection, cancellationToken);
        var deleted = 0;

        // Answers on the items that name the contributor wait until this commits (the answer path
        // locks an item's stream, in item order, before reading its progress): none of them can
        // write back a progress document read before the erasure.
        if (tables.Contains("mt_doc_itemprogress"))
        {
            await ExecuteAsync(connection, transaction,
                $"select id from {Table(EventSchema, "mt_streams")} where id in (select id from {Table(DocumentSchema, "mt_doc_itemprogress")} where strpos(data::text, @id) > 0) order by id for update",
                quoted, cancellationToken);
        }

        // Chat engagement (invitations, consent, nudges, the sealed delivery address): its streams,
        // their events and the projected documents.
        if (tables.Contains("mt_doc_engagement"))
        {
            var engagement = Table(DocumentSchema, "mt_doc_engagement");
            deleted += await ExecuteAsync(connection, transaction,
                $"delete from {Table(EventSchema, "mt_events")} where stream_id in (select id from {engagement} where strpos(data::text, @id) > 0)", quoted, cancellationToken);
            deleted += await ExecuteAsync(connection, transaction,
                $"delete from {Table(EventSchema, "mt_streams")} where id in (select id from {engagement} where strpos(data::text, @id) > 0)", quoted, cancellationToken);
            deleted += await ExecuteAsync(connection, transaction, $"delete from {engagement} where strpos(data::text, @id) > 0", quoted, cancellationToken);
        }

        foreach (var table in OwnTables.Where(tables.Contains))
        {
            await using var command = new NpgsqlCommand($"delete from {Table(DocumentSchema, table)} where id::text = @raw or starts_with(id::text, @prefix)", connection, transaction);
            command.Parameters.AddWithValue("raw", contributorId);
            command.Parameters.AddWithValue("prefix", contributorId + "|");
            deleted += await command.ExecuteNonQueryAsync(cancellationToken);
        }

        int answers;
        await using (var count = new NpgsqlCommand(
            $"select count(*) from {Table(EventSchema, "mt_events")} where type = 'answer_submitted' and strpos(data::text, @id) > 0", connection, transaction))
        {
            count.Parameters.AddWithValue("id", quoted);
            answers = Convert.ToInt32(await count.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
        }

        // A document with optimistic concurrency (a lease) gets a new version, so a writer holding a
        // copy read before the erasure fails its save and retries on the anonymised one.
        // A rewritten document is also marked modified now, so every node's copy of the open items
        // (refreshed with the documents modified since its last look) drops the pseudonym within seconds.
        var versioned = await VersionedTablesAsync(connection, cancellationToken);
        var dated = await TablesWithColumnAsync(connection, "mt_last_modified", "timestamp with time zone", cancellationToken);
        var anonymised = 0;
        foreach (var (table, bump, touch) in tables.Select(t => (Table(DocumentSchema, t), versioned.Contains(t), dated.Contains(t))).Append((Table(EventSchema, "mt_events"), false, false)))
        {
            await using var command = new NpgsqlCommand(
                $"update {table} set data = replace(data::text, @id, @anonymous)::jsonb{(bump ? ", mt_version = gen_random_uuid()" : "")}{(touch ? ", mt_last_modified = transaction_timestamp()" : "")} where strpos(data::text, @id) > 0",
                connection, transaction);
            command.Parameters.AddWithValue("id", quoted);
            command.Parameters.AddWithValue("anonymous", anonymous);
            anonymised += await command.ExecuteNonQueryAsync(cancellationToken);
        }

        // An answer's idempotency key is the caller's: a chat gateway may derive it from the contributor's channel
        // identity and the message (ADR-005), so an erased answer keeps a new random one, linked to nothing.
        await using (var keys = new NpgsqlCommand(
            $"update {Table(EventSchema, "mt_events")} set data = jsonb_set(data, '{{{nameof(AnswerSubmitted.IdempotencyKey)}}}', " +
            $"to_jsonb(@prefix || replace(gen_random_uuid()::text, '-', ''))) where type = 'answer_submitted' and data->>'{nameof(AnswerSubmitted.ContributorId)}' = @anonymous",
            connection, transaction))
        {
            keys.Parameters.AddWithValue("prefix", IContributorDataStore.ErasedPrefix);
            keys.Parameters.AddWithValue("anonymous", anonymousId);
            await keys.ExecuteNonQueryAsync(cancellationToken);
        }

        // Every node's copy of each project's consensus fit holds skills by pseudonym: counting the
        // erasure on the projects' fit records makes every node build its copy again from the
        // (now anonymised) answers within seconds (ConsensusCache).
        if (answers > 0 && tables.Contains(ProjectConsensusTable))
        {
            const string count = nameof(ProjectConsensus.Erasures);
            await using var command = new NpgsqlCommand(
                $"update {Table(DocumentSchema, ProjectConsensusTable)} set data = jsonb_set(data, '{{{count}}}', to_jsonb(coalesce((data->>'{count}')::int, 0) + 1))",
                connection, transaction);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return new ErasureReport(answers, anonymised, deleted);
    }

    private string DocumentSchema => store.Options.DatabaseSchemaName;

    private string EventSchema => store.Options.Events.DatabaseSchemaName;

    /// <summary>The pseudonym as it appears in JSON (a string value or a key).</summary>
    private static string Quoted(string contributorId)
    {
        if (contributorId.Length == 0 || contributorId.Any(c => c is '"' or '\\' || char.IsControl(c)))
        {
            throw new ArgumentException("Not a contributor pseudonym.", nameof(contributorId));
        }

        return "\"" + contributorId + "\"";
    }

    private static string Table(string schema, string table) => $"\"{schema.Replace("\"", "\"\"", StringComparison.Ordinal)}\".\"{table.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";

    private async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = (NpgsqlConnection)store.Storage.Database.CreateConnection();
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

    /// <summary>Marten's document tables (those with a JSON body) in the store's schema.</summary>
    private Task<HashSet<string>> DocumentTablesAsync(NpgsqlConnection connection, CancellationToken cancellationToken) =>
        TablesWithColumnAsync(connection, "data", "jsonb", cancellationToken);

    /// <summary>Document tables whose rows carry a Guid version (optimistic concurrency).</summary>
    private Task<HashSet<string>> VersionedTablesAsync(NpgsqlConnection connection, CancellationToken cancellationToken) =>
        TablesWithColumnAsync(connection, "mt_version", "uuid", cancellationToken);

    private async Task<HashSet<string>> TablesWithColumnAsync(NpgsqlConnection connection, string column, string type, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "select table_name from information_schema.columns where table_schema = @schema and column_name = @column and data_type = @type and table_name like 'mt_doc_%'",
            connection);
        command.Parameters.AddWithValue("schema", DocumentSchema);
        command.Parameters.AddWithValue("column", column);
        command.Parameters.AddWithValue("type", type);
        var tables = new HashSet<string>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            tables.Add(reader.GetString(0));
        }

        return tables;
    }

    private static async Task<int> ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, string quoted, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        command.Parameters.AddWithValue("id", quoted);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
