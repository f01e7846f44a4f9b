using CoConstruisons.Contracts.V1;
using Google.Rpc;
using Grpc.Core;

namespace CoConstruisons.Api.IntegrationTests;

/// <summary>Researchers' refused changes come back in the caller's language, with the field each problem is about, and change nothing.</summary>
[Collection(nameof(ApiCollection))]
public sealed class ExperimentServiceTests(ApiFixture api)
{
    private readonly ExperimentService.ExperimentServiceClient _experiments = new(api.Channel);

    private static Experiment Tone(string name) => new()
    {
        Name = name,
        Lever = "tone",
        Seed = "seed-" + name,
        Variants = { new VariantShare { Name = "neutral", Percent = 50 }, new VariantShare { Name = "playful", Percent = 50 } },
    };

    /// <summary>On a lever and a project of its own, so that starting it overlaps no other test's running experiment.</summary>
    private static Experiment Questions(string name) => new()
    {
        Name = name,
        Lever = "question_mode",
        Seed = "seed-" + name,
        ProjectIds = { "project-" + name },
        Variants = { new VariantShare { Name = "single", Percent = 50 }, new VariantShare { Name = "series", Percent = 50 } },
    };

    private async Task<Metadata> Headers(string language)
    {
        var headers = await api.OwnerHeaders();
        headers.Add("accept-language", language);
        return headers;
    }

    private static string Unique(string prefix) => prefix + Guid.NewGuid().ToString("N")[..6];

    [Fact]
    public async Task Refusals_are_in_english_for_an_english_caller_and_in_french_otherwise()
    {
        var name = Unique("WalkDup");
        var duplicated = Tone(name);
        duplicated.Variants[1].Name = "neutral";
        duplicated.Variants[1].Percent = 40;

        var (en, fr) = (await Headers("en"), await Headers("fr"));
        var english = await Assert.ThrowsAsync<RpcException>(() => _experiments.DefineExperimentAsync(
            new DefineExperimentRequest { Experiment = duplicated }, en).ResponseAsync);
        var french = await Assert.ThrowsAsync<RpcException>(() => _experiments.DefineExperimentAsync(
            new DefineExperimentRequest { Experiment = duplicated }, fr).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, english.StatusCode);
        Assert.Contains($"Experiment '{name}': variant 'neutral' appears 2 times", english.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("add up to 90 %", english.Status.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("Expérience", english.Status.Detail, StringComparison.Ordinal);
        var fields = english.GetRpcStatus()!.GetDetail<BadRequest>().FieldViolations;
        Assert.All(fields, f => Assert.Equal("variants", f.Field));
        Assert.Contains($"Expérience « {name} » : la variante « neutral » apparaît 2 fois", french.Status.Detail, StringComparison.Ordinal);

        var listed = await _experiments.ListExperimentsAsync(new ListExperimentsRequest(), await Headers("en"));
        Assert.DoesNotContain(listed.Experiments, e => e.Name == name);
    }

    [Fact]
    public async Task Lifecycle_and_reallocation_refusals_name_states_and_variants_in_the_callers_words()
    {
        var name = Unique("WalkLife");
        var headers = await Headers("en");
        await _experiments.DefineExperimentAsync(new DefineExperimentRequest { Experiment = Questions(name) }, headers);

        var stopDraft = await Assert.ThrowsAsync<RpcException>(() => _experiments.StopExperimentAsync(
            new StopExperimentRequest { Name = name, Reason = "done" }, headers).ResponseAsync);
        Assert.Equal($"Experiment '{name}' is not running (current state: draft).", stopDraft.Status.Detail);

        await _experiments.StartExperimentAsync(new StartExperimentRequest { Name = name }, headers);
        var frenchHeaders = await Headers("fr");
        var noReason = await Assert.ThrowsAsync<RpcException>(() => _experiments.StopExperimentAsync(
            new StopExperimentRequest { Name = name, Reason = "  " }, frenchHeaders).ResponseAsync);
        Assert.Contains("donnez le motif de l'arrêt", noReason.Status.Detail, StringComparison.Ordinal);

        var bogus = await Assert.ThrowsAsync<RpcException>(() => _experiments.ChangeAllocationAsync(new ChangeAllocationRequest
        {
            Name = name,
            Variants = { new VariantShare { Name = "single", Percent = 50 }, new VariantShare { Name = "bogus", Percent = 50 } },
        }, headers).ResponseAsync);
        Assert.Equal($"Experiment '{name}' has no variant 'bogus'; its variants are single, series.", bogus.Status.Detail);

        var notANumber = await Assert.ThrowsAsync<RpcException>(() => _experiments.ChangeAllocationAsync(new ChangeAllocationRequest
        {
            Name = name,
            Variants = { new VariantShare { Name = "single", Percent = double.NaN }, new VariantShare { Name = "series", Percent = 50 } },
        }, headers).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, notANumber.StatusCode);
        Assert.Contains("Variant 'single' has an allocation that is not a number", notANumber.Status.Detail, StringComparison.Ordinal);

        var shown = await _experiments.GetExperimentAsync(new GetExperimentRequest { Name = name }, headers);
        Assert.Equal("running", shown.Experiment.Status);
        Assert.Equal([50.0, 50.0], shown.Experiment.Variants.Select(v => v.Percent));
        Assert.DoesNotContain(shown.Audit, a => a.Kind == "allocation_changed" || a.Kind == "stopped");

        var changed = await _experiments.ChangeAllocationAsync(new ChangeAllocationRequest
        {
            Name = name,
            Variants = { new VariantShare { Name = "series", Percent = 100 } },
        }, headers);
        Assert.Equal(["single", "series"], changed.Experiment.Variants.Select(v => v.Name));
        Assert.Equal("single 50 % → 0 %, series 50 % → 100 %", changed.Audit.Single(a => a.Kind == "allocation_changed").Summary);
    }

    [Theory]
    [InlineData("1")]
    [InlineData("new,returning")]
    [InlineData("everyone")]
    public async Task An_audience_other_than_all_new_or_returning_is_refused(string audience)
    {
        var experiment = Tone(Unique("WalkAud"));
        experiment.Audience = audience;

        var headers = await Headers("en");
        var error = await Assert.ThrowsAsync<RpcException>(() => _experiments.DefineExperimentAsync(
            new DefineExperimentRequest { Experiment = experiment }, headers).ResponseAsync);

        Assert.Equal($"Unknown audience '{audience}' (all, new, returning).", error.Status.Detail);
        Assert.Equal("audience", Assert.Single(error.GetRpcStatus()!.GetDetail<BadRequest>().FieldViolations).Field);
    }
}
