using CoConstruisons.Cli.Commands;

namespace CoConstruisons.Cli.Tests;

/// <summary>`experiments validate` reports every problem of a definitions file, in the terminal's language, and never crashes on a value of the wrong type.</summary>
public sealed class ExperimentsValidateCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("coco-exp-validate-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private async Task<(int Code, string Out, string Err)> Validate(string json, string culture = UiCulture.English)
    {
        var file = Path.Combine(_dir, "e.json");
        await File.WriteAllTextAsync(file, json);
        return await CapturedCli.Run([new ExperimentsValidateCommand()], ["experiments", "validate", file], culture);
    }

    private const string Variants = """[ { "name": "neutral", "percent": 50 }, { "name": "playful", "percent": 50 } ]""";

    [Theory]
    [InlineData("[1,2]")]
    [InlineData("\"experiments\"")]
    [InlineData("""{ "experiments": { "name": "A" } }""")]
    public async Task A_file_that_is_not_an_object_with_an_experiments_array_is_refused_in_one_line(string json)
    {
        var (code, _, err) = await Validate(json, UiCulture.French);

        Assert.Equal(1, code);
        Assert.EndsWith("e.json : un objet avec un tableau « experiments » est attendu." + Environment.NewLine, err, StringComparison.Ordinal);
        Assert.StartsWith("erreur : ", err, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{ "name": "A", "lever": "tone", "seed": "s", "variants": [ { "name": "neutral", "percent": "fifty" }, { "name": "playful", "percent": 50 } ] }""",
        """experiments[1] (A): "variants[1].percent" must be a number, not a string ("fifty").""")]
    [InlineData("""{ "name": "A", "lever": 3, "seed": "s", "variants": VARIANTS }""",
        """experiments[1] (A): "lever" must be a string, not a number (3).""")]
    [InlineData("""{ "name": ["A"], "lever": "tone", "seed": "s", "variants": VARIANTS }""",
        """experiments[1]: "name" must be a string, not an array (["A"]).""")]
    [InlineData("""{ "name": "A", "lever": "tone", "seed": 7, "variants": VARIANTS }""",
        """experiments[1] (A): "seed" must be a string, not a number (7).""")]
    [InlineData("""{ "name": "A", "lever": "tone", "seed": "s", "status": true, "variants": VARIANTS }""",
        """experiments[1] (A): "status" must be a string, not a boolean (true).""")]
    [InlineData("""{ "name": "A", "lever": "tone", "seed": "s", "variants": { "neutral": 50 } }""",
        """experiments[1] (A): "variants" must be an array of {"name", "percent"}, not an object ({ "neutral": 50 }).""")]
    [InlineData("""{ "name": "A", "lever": "tone", "seed": "s", "variants": [ 50, { "name": "playful", "percent": 50 } ] }""",
        """experiments[1] (A): "variants[1]" must be an object {"name", "percent"}, not a number (50).""")]
    [InlineData("""{ "name": "A", "lever": "tone", "seed": "s", "variants": [ { "name": 1, "percent": 50 }, { "name": "playful", "percent": 50 } ] }""",
        """experiments[1] (A): "variants[1].name" must be a string, not a number (1).""")]
    [InlineData("""{ "name": "A", "lever": "tone", "seed": "s", "variants": VARIANTS, "targeting": ["opensolarmap"] }""",
        """experiments[1] (A): "targeting" must be an object {"projects", "channels", "audience"}, not an array (["opensolarmap"]).""")]
    [InlineData("""{ "name": "A", "lever": "tone", "seed": "s", "variants": VARIANTS, "targeting": { "projects": "x" } }""",
        """experiments[1] (A): "targeting.projects" must be an array of strings (e.g. ["a", "b"]), not a string ("x").""")]
    [InlineData("""{ "name": "A", "lever": "tone", "seed": "s", "variants": VARIANTS, "targeting": { "channels": ["slack", 2] } }""",
        """experiments[1] (A): "targeting.channels[2]" must be a string, not a number (2).""")]
    [InlineData("""{ "name": "A", "lever": "tone", "seed": "s", "variants": VARIANTS, "targeting": { "audience": null } }""",
        """experiments[1] (A): "targeting.audience" must be a string, not null.""")]
    [InlineData("""{ "name": "A", "lever": "tone", "seed": "s", "variants": VARIANTS, "targeting": { "project": ["x"] } }""",
        """experiments[1] (A): unknown field "targeting.project" (possible fields: projects, channels, audience).""")]
    [InlineData("""{ "name": "A", "lever": "tone", "seed": "s", "variants": VARIANTS, "allow_overlap": "yes" }""",
        """experiments[1] (A): "allow_overlap" must be true or false, not a string ("yes").""")]
    [InlineData("""7""",
        """experiments[1]: expected an object, not a number (7).""")]
    [InlineData("""{ "name": "A", "lever": "tone", "seed": "s", "variants": [ { "name": "neutral", "percent": 1e30 }, { "name": "playful", "percent": 50 } ] }""",
        """experiments[1] (A): "variants[1].percent" is 1e30, outside any possible allocation (0 to 100).""")]
    public async Task A_value_of_the_wrong_type_is_named_with_its_place_and_refused(string experiment, string expected)
    {
        var (code, output, err) = await Validate("""{ "experiments": [ EXPERIMENT ] }""".Replace("EXPERIMENT", experiment.Replace("VARIANTS", Variants, StringComparison.Ordinal), StringComparison.Ordinal));

        Assert.Equal(1, code);
        Assert.Equal("", output);
        Assert.Contains("  - " + expected + Environment.NewLine, err, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_problem_of_every_entry_is_reported_even_after_a_bad_lever()
    {
        var (code, _, err) = await Validate("""{ "experiments": [ {}, { "lever": "tonee", "variants": [ { "name": "a", "percent": 50 }, { "name": "a", "percent": 40 } ] } ] }""");

        Assert.Equal(1, code);
        Assert.Equal(
            [
                "e.json: 9 problem(s):",
                "  - experiments[1]: \"lever\" is required (tone, frequency or question_mode).",
                "  - experiments[1]: \"variants\" is required: an array of {\"name\", \"percent\"}.",
                "  - experiments[1]: The experiment's name is required.",
                "  - experiments[1]: Unnamed experiment: the seed is required; it fixes each contributor's allocation.",
                "  - experiments[2]: \"lever\" must be tone, frequency or question_mode, not 'tonee'.",
                "  - experiments[2]: The experiment's name is required.",
                "  - experiments[2]: Unnamed experiment: the seed is required; it fixes each contributor's allocation.",
                "  - experiments[2]: Unnamed experiment: variant 'a' appears 2 times; variant names must be unique.",
                "  - experiments[2]: Unnamed experiment: the allocations add up to 90 %; they must add up to exactly 100 %.",
            ],
            err.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries).Select(l => l.Replace(Path.Combine(_dir, "e.json"), "e.json", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task The_header_and_every_problem_are_in_the_terminals_language()
    {
        var json = """
        { "experiments": [
          { "name": "NudgeTone", "lever": "tone", "seed": "t", "status": "running", "variants": [ { "name": "neutral", "percent": 50 }, { "name": "neutral", "percent": 40 } ] },
          { "name": "NudgeTone2", "lever": "tone", "seed": "t2", "status": "running", "variants": VARIANTS } ] }
        """.Replace("VARIANTS", Variants, StringComparison.Ordinal);

        var (_, _, english) = await Validate(json);
        var (_, _, french) = await Validate(json, UiCulture.French);

        Assert.Contains("e.json: 2 problem(s):", english, StringComparison.Ordinal);
        Assert.Contains("  - Experiment 'NudgeTone': variant 'neutral' appears 2 times; variant names must be unique.", english, StringComparison.Ordinal);
        Assert.Contains("  - Experiment 'NudgeTone': the allocations add up to 90 %; they must add up to exactly 100 %.", english, StringComparison.Ordinal);
        Assert.DoesNotContain("Expérience", english, StringComparison.Ordinal);
        Assert.Contains("e.json : 2 problème(s) :", french, StringComparison.Ordinal);
        Assert.Contains("  - Expérience « NudgeTone » : les allocations totalisent 90 % ; elles doivent totaliser exactement 100 %.", french, StringComparison.Ordinal);

        // Without the duplicate, the two running experiments overlap: the problem between them is reported too.
        var (_, _, overlap) = await Validate(json.Replace("""{ "name": "neutral", "percent": 40 }""", """{ "name": "playful", "percent": 50 }""", StringComparison.Ordinal));
        Assert.Contains("  - Experiments 'NudgeTone' and 'NudgeTone2' are both on the tone lever and can reach the same contributor", overlap, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_documented_example_is_valid()
    {
        var example = Path.Combine(RepoPaths.Root()!, "docs", "examples", "experiments.json");
        var (code, output, err) = await CapturedCli.Run([new ExperimentsValidateCommand()], ["experiments", "validate", example]);

        Assert.True(code == 0, err);
        Assert.Contains("OK: 2 experiment(s) valid", output, StringComparison.Ordinal);
    }
}
