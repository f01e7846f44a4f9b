using System.Text;
using System.Text.Json;
using CoConstruisons.Domain.Contributions;
using CoConstruisons.Domain.Items;
using Marten;
using Mediator;

namespace CoConstruisons.Application.Projects.ExportProject;

public enum ExportFormat
{
    Csv,
    Json,

    /// <summary>A GeoJSON FeatureCollection of the items that have a <c>footprint</c> metadata value.</summary>
    GeoJson,
}

/// <summary>Every item with its current label and all its raw answers, as CSV (one row per answer) or JSON.</summary>
public sealed record ExportProject(Guid OwnerId, Guid ProjectId, ExportFormat Format) : IQuery<ExportFile>;

public sealed record ExportFile(string FileName, string ContentType, byte[] Content);

public sealed class ExportProjectHandler(IQuerySession session) : IQueryHandler<ExportProject, ExportFile>
{
    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public async ValueTask<ExportFile> Handle(ExportProject query, CancellationToken cancellationToken)
    {
        var project = await session.LoadOwnedAsync(query.ProjectId, query.OwnerId, cancellationToken);
        var items = await session.Query<Item>().Where(i => i.ProjectId == project.Id)
            .OrderBy(i => i.CreatedAt).ThenBy(i => i.FileName).ToListAsync(cancellationToken);
        var progress = (await session.Query<ItemProgress>().Where(p => p.ProjectId == project.Id).ToListAsync(cancellationToken))
            .ToDictionary(p => p.Id);
        var answers = (await session.Events.QueryRawEventDataOnly<AnswerSubmitted>()
                .Where(a => a.ProjectId == project.Id).ToListAsync(cancellationToken))
            .OrderBy(a => a.SubmittedAt).ThenBy(a => a.AnswerId)
            .ToLookup(a => a.ItemId);
        var rows = items.Select(i => new ExportedItem(i, progress.GetValueOrDefault(i.Id), answers[i.Id].ToList())).ToList();
        var stem = $"project-{project.Id:N}";
        return query.Format switch
        {
            ExportFormat.Json => new ExportFile(stem + ".json", "application/json", JsonSerializer.SerializeToUtf8Bytes(ToJson(rows), JsonOptions)),
            ExportFormat.GeoJson => new ExportFile(stem + ".geojson", "application/geo+json", ToGeoJson(rows)),
            _ => new ExportFile(stem + ".csv", "text/csv; charset=utf-8", ToCsv(rows)),
        };
    }

    private sealed record ExportedItem(Item Item, ItemProgress? Progress, IReadOnlyList<AnswerSubmitted> Answers)
    {
        /// <summary>A machine label (auto-labelling, docs/model.md) is given only to items without a confident crowd label, so it wins.</summary>
        public bool IsMachine => Progress?.MachineLabel is not null;

        public string? Label => IsMachine ? Progress!.MachineLabel : Progress?.Label;

        public double Confidence => IsMachine ? Progress!.MachineConfidence : Progress?.Confidence ?? 0;

        /// <summary>"machine", "crowd", or empty when the item has no label.</summary>
        public string LabelSource => IsMachine ? "machine" : Progress?.Label is null ? "" : "crowd";
    }

    private static object ToJson(IEnumerable<ExportedItem> rows) => rows.Select(r => new
    {
        ItemId = r.Item.Id,
        r.Item.FileName,
        r.Item.ContentHash,
        r.Item.Metadata,
        r.Label,
        r.Confidence,
        LabelSource = r.LabelSource.Length == 0 ? null : r.LabelSource,
        CrowdLabel = r.Progress?.Label,
        CrowdConfidence = r.Progress?.Confidence ?? 0,
        Prediction = r.Progress?.PredictedLabel is null ? null : new
        {
            Label = r.Progress.PredictedLabel,
            Confidence = r.Progress.PredictedConfidence,
            r.Progress.ModelVersion,
            r.Progress.InTrainingSet,
        },
        AnswerCount = r.Answers.Count,
        Answers = r.Answers.Select(a => new
        {
            a.AnswerId,
            Contributor = a.ContributorId,
            a.Choice,
            a.Channel,
            a.TimeTakenMs,
            a.SubmittedAt,
        }),
    });

    /// <summary>
    /// One Feature per item whose metadata holds a valid <c>footprint</c> GeoJSON geometry (RFC 7946):
    /// the geometry as stored, and label, confidence, answer count, item id, file name and the other
    /// metadata as properties (a metadata key that is one of those names is kept as <c>metadata_</c>
    /// + key). Items without a footprint are left out; items whose footprint is not a valid geometry
    /// are left out too and listed, with the reason, in the collection's <c>skipped</c> member (a
    /// foreign member, RFC 7946 §6.1), so that nothing disappears unsaid and the file stays valid.
    /// </summary>
    private static byte[] ToGeoJson(IEnumerable<ExportedItem> rows)
    {
        var features = new System.Text.Json.Nodes.JsonArray();
        var skipped = new System.Text.Json.Nodes.JsonArray();
        foreach (var r in rows)
        {
            if (!r.Item.Metadata.TryGetValue("footprint", out var footprint))
            {
                continue;
            }

            System.Text.Json.Nodes.JsonNode? geometry;
            try
            {
                geometry = System.Text.Json.Nodes.JsonNode.Parse(footprint);
            }
            catch (JsonException)
            {
                geometry = null;
            }

            if (GeoJsonGeometry.Problem(geometry) is { } problem)
            {
                skipped.Add(new System.Text.Json.Nodes.JsonObject
                {
                    ["item_id"] = r.Item.Id.ToString(),
                    ["file_name"] = r.Item.FileName,
                    ["reason"] = problem,
                });
                continue;
            }

            var properties = new System.Text.Json.Nodes.JsonObject
            {
                ["item_id"] = r.Item.Id.ToString(),
                ["file_name"] = r.Item.FileName,
                ["label"] = r.Label,
                ["confidence"] = Math.Round(r.Confidence, 4),
                ["label_source"] = r.LabelSource,
                ["answer_count"] = r.Answers.Count,
                ["retired"] = r.Progress?.Retired ?? false,
            };
            var own = properties.Select(p => p.Key).ToHashSet(StringComparer.Ordinal);
            foreach (var (key, value) in r.Item.Metadata.OrderBy(m => m.Key, StringComparer.Ordinal))
            {
                if (key != "footprint")
                {
                    properties[own.Contains(key) ? "metadata_" + key : key] = value;
                }
            }

            features.Add(new System.Text.Json.Nodes.JsonObject
            {
                ["type"] = "Feature",
                ["geometry"] = geometry,
                ["properties"] = properties,
            });
        }

        var collection = new System.Text.Json.Nodes.JsonObject { ["type"] = "FeatureCollection", ["features"] = features };
        if (skipped.Count > 0)
        {
            collection["skipped"] = skipped;
        }

        return JsonSerializer.SerializeToUtf8Bytes(collection);
    }

    private static byte[] ToCsv(IEnumerable<ExportedItem> rows)
    {
        var sb = new StringBuilder();
        sb.Append("item_id,file_name,label,confidence,label_source,answer_count,answer_id,contributor,choice,channel,time_taken_ms,submitted_at\n");
        foreach (var r in rows)
        {
            var head = string.Join(',',
                r.Item.Id.ToString(),
                Csv.Field(r.Item.FileName),
                Csv.Field(r.Label ?? ""),
                r.Confidence.ToString("0.####", System.Globalization.CultureInfo.InvariantCulture),
                r.LabelSource,
                r.Answers.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (r.Answers.Count == 0)
            {
                sb.Append(head).Append(",,,,,,\n");
                continue;
            }

            foreach (var a in r.Answers)
            {
                sb.Append(head).Append(',')
                    .Append(a.AnswerId).Append(',')
                    .Append(Csv.Field(a.ContributorId)).Append(',')
                    .Append(Csv.Field(a.Choice)).Append(',')
                    .Append(Csv.Field(a.Channel)).Append(',')
                    .Append(a.TimeTakenMs.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append(',')
                    .Append(a.SubmittedAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture))
                    .Append('\n');
            }
        }

        return new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(sb.ToString());
    }
}

/// <summary>RFC 4180 quoting, and a leading apostrophe on values a spreadsheet would run as a formula.</summary>
public static class Csv
{
    public static string Field(string value)
    {
        if (value.Length > 0 && "=+-@\t\r".Contains(value[0], StringComparison.Ordinal))
        {
            value = "'" + value;
        }

        return value.AsSpan().IndexOfAny(",\"\n\r") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
    }
}
