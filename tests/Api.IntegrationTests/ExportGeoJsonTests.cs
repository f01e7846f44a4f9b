using System.Text.Json;
using CoConstruisons.Contracts.V1;
using CoConstruisons.Domain.Items;
using Marten;
using Microsoft.Extensions.DependencyInjection;

namespace CoConstruisons.Api.IntegrationTests;

[Collection(nameof(ApiCollection))]
public sealed class ExportGeoJsonTests(ApiFixture api)
{
    private readonly ProjectService.ProjectServiceClient _projects = new(api.Channel);

    [Fact]
    public async Task The_geojson_export_holds_one_feature_per_item_with_a_footprint_and_its_label_confidence_and_answer_count()
    {
        var projectId = await api.ProjectWithImages(images: 3, maxAnswers: 3);
        await using (var scope = api.Services.CreateAsyncScope())
        {
            var session = scope.ServiceProvider.GetRequiredService<IDocumentSession>();
            var items = await session.Query<Item>().Where(i => i.ProjectId == projectId).OrderBy(i => i.FileName).ToListAsync();
            items[0].Metadata["footprint"] = """{"type":"Polygon","coordinates":[[[2.35,48.85],[2.36,48.85],[2.36,48.86],[2.35,48.85]]]}""";
            items[0].Metadata["building_id"] = "42";
            items[0].Metadata["label"] = "bâtiment A"; // an owner's column named like an exported property
            items[1].Metadata["footprint"] = "not json"; // left out, never a broken file, and said
            items[2].Metadata["footprint"] = """{"type":"Polygon","coordinates":[[[2.0,48.0],[2.001,48.0]]]}"""; // a ring of two positions
            session.Store(items[0], items[1], items[2]);
            await session.SaveChangesAsync();
        }

        var file = await _projects.ExportProjectAsync(
            new ExportProjectRequest { ProjectId = projectId.ToString(), Format = ExportFormat.Geojson }, await api.OwnerHeaders());

        Assert.Equal("application/geo+json", file.ContentType);
        Assert.EndsWith(".geojson", file.FileName, StringComparison.Ordinal);
        using var doc = JsonDocument.Parse(file.Content.Memory);
        Assert.Equal("FeatureCollection", doc.RootElement.GetProperty("type").GetString());
        var feature = Assert.Single(doc.RootElement.GetProperty("features").EnumerateArray());
        Assert.Equal("Feature", feature.GetProperty("type").GetString());
        Assert.Equal("Polygon", feature.GetProperty("geometry").GetProperty("type").GetString());
        Assert.Equal(2.36, feature.GetProperty("geometry").GetProperty("coordinates")[0][1][0].GetDouble());
        var properties = feature.GetProperty("properties");
        Assert.Equal("42", properties.GetProperty("building_id").GetString());
        Assert.Equal(0, properties.GetProperty("answer_count").GetInt32());
        Assert.Equal(JsonValueKind.Null, properties.GetProperty("label").ValueKind);
        Assert.Equal(0, properties.GetProperty("confidence").GetDouble());
        Assert.False(properties.TryGetProperty("footprint", out _));
        Assert.Equal("bâtiment A", properties.GetProperty("metadata_label").GetString());

        // The two items left out are listed with why, in a foreign member readers ignore.
        var skipped = doc.RootElement.GetProperty("skipped").EnumerateArray().ToList();
        Assert.Equal(2, skipped.Count);
        Assert.Contains(skipped, s => s.GetProperty("reason").GetString()!.Contains("n'est pas une géométrie GeoJSON", StringComparison.Ordinal));
        Assert.Contains(skipped, s => s.GetProperty("reason").GetString()!.Contains("coordonnées invalides pour un Polygon", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("""{"type":"Polygon","coordinates":[[[2.35,48.85],[2.36,48.85],[2.36,48.86],[2.350,48.850]]]}""", true)]
    [InlineData("""{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]]],[[[5,5],[6,5],[6,6],[5,5]]]]}""", true)]
    [InlineData("""{"type":"Point","coordinates":[2.35,48.85]}""", true)]
    [InlineData("""{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1]]]}""", false)] // not closed
    [InlineData("""{"type":"Polygon","coordinates":[[[0,0],[1,0],[0,0]]]}""", false)] // three positions
    [InlineData("""{"type":"LineString","coordinates":[[0,0]]}""", false)]
    [InlineData("""{"type":"Point","coordinates":["2","48"]}""", false)]
    [InlineData("""{"type":"Circle","coordinates":[0,0]}""", false)]
    [InlineData("""[1,2]""", false)]
    public void A_footprint_is_exported_only_when_it_is_a_valid_geometry(string footprint, bool valid)
    {
        var problem = CoConstruisons.Application.Projects.ExportProject.GeoJsonGeometry.Problem(System.Text.Json.Nodes.JsonNode.Parse(footprint));

        Assert.Equal(valid, problem is null);
    }
}
