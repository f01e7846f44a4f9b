using System.Text.Json;
using CoConstruisons.Domain.Projects;

namespace CoConstruisons.Domain.UnitTests.Projects;

public sealed class ProjectSettingsLanguageTests
{
    [Theory]
    [InlineData(JsonSerializerDefaults.General)]
    [InlineData(JsonSerializerDefaults.Web)]
    public void Settings_stored_before_the_language_existed_read_back_as_french(JsonSerializerDefaults defaults)
    {
        // What an event written before the setting holds: every other field, no language.
        var options = new JsonSerializerOptions(defaults);
        var stored = JsonSerializer.Serialize(new ProjectSettings("Toits", "", "Dans quel sens ?", [new Choice("a", "Plat"), new Choice("b", "Pentu")], true, "", 3), options);
        var withoutLanguage = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(stored, options)!
            .Where(p => !p.Key.Equals("language", StringComparison.OrdinalIgnoreCase))
            .ToDictionary(p => p.Key, p => p.Value);

        var read = JsonSerializer.Deserialize<ProjectSettings>(JsonSerializer.Serialize(withoutLanguage, options), options)!;

        Assert.Equal("fr", read.Language);
        Assert.Equal("Dans quel sens ?", read.Question);
    }
}
