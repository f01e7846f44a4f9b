using CoConstruisons.Learning;

namespace CoConstruisons.Learning.Tests;

[UiCulture("en-GB")]
public sealed class ModelFileTests(TinyModelFixture fixture) : IClassFixture<TinyModelFixture>, IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "coconstruisons-model-tests-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public void A_saved_model_loads_back_and_predicts_the_same_probabilities()
    {
        fixture.Result.Classifier.Save(_dir);
        Assert.Equal([ImageClassifier.MetadataFile, ImageClassifier.ModelFile], Directory.GetFiles(_dir).Select(Path.GetFileName).Order(StringComparer.Ordinal));

        var loaded = ImageClassifier.Load(_dir);
        var images = fixture.Items.Take(10).Select(i => i.Image).ToList();
        var before = fixture.Result.Classifier.Predict(images);
        var after = loaded.Predict(images);
        Assert.Equal(fixture.Result.Classifier.Classes, loaded.Classes);
        Assert.Equal(fixture.Result.AutoLabel.Threshold, loaded.Metadata.AutoLabel!.Threshold);
        for (var i = 0; i < images.Count; i++)
        {
            Assert.Equal(before[i], after[i]);
        }
    }

    [Fact]
    public void Saving_over_an_existing_model_leaves_only_the_two_files()
    {
        fixture.Result.Classifier.Save(_dir);
        fixture.Result.Classifier.Save(_dir);
        Assert.Equal(2, Directory.GetFiles(_dir).Length);
        _ = ImageClassifier.Load(_dir);
    }

    [Fact]
    public void A_missing_model_directory_is_reported_by_name()
    {
        var ex = Assert.Throws<ModelLoadException>(() => ImageClassifier.Load(_dir));
        Assert.Contains("does not exist", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_model_zip_is_reported_by_name()
    {
        fixture.Result.Classifier.Save(_dir);
        File.Delete(Path.Combine(_dir, ImageClassifier.ModelFile));
        var ex = Assert.Throws<ModelLoadException>(() => ImageClassifier.Load(_dir));
        Assert.Contains("model.zip", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_corrupt_model_zip_is_detected()
    {
        fixture.Result.Classifier.Save(_dir);
        var path = Path.Combine(_dir, ImageClassifier.ModelFile);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes.Take(bytes.Length / 2).ToArray());
        var ex = Assert.Throws<ModelLoadException>(() => ImageClassifier.Load(_dir));
        Assert.Contains("corrupt", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Corrupt_metadata_is_reported_as_invalid_json()
    {
        fixture.Result.Classifier.Save(_dir);
        File.WriteAllText(Path.Combine(_dir, ImageClassifier.MetadataFile), "{ \"classes\": [");
        var ex = Assert.Throws<ModelLoadException>(() => ImageClassifier.Load(_dir));
        Assert.Contains("not valid model metadata JSON", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_model_zip_that_is_not_an_MLNET_model_gives_a_clear_error()
    {
        fixture.Result.Classifier.Save(_dir);
        var metadataPath = Path.Combine(_dir, ImageClassifier.MetadataFile);
        var modelPath = Path.Combine(_dir, ImageClassifier.ModelFile);
        File.WriteAllText(modelPath, "not a zip");

        // Even with a matching checksum, ML.NET's refusal becomes a ModelLoadException.
        var hash = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(modelPath)));
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(metadataPath))!;
        json["model_sha256"] = hash;
        File.WriteAllText(metadataPath, json.ToJsonString());
        var ex = Assert.Throws<ModelLoadException>(() => ImageClassifier.Load(_dir));
        Assert.Contains("cannot be loaded", ex.Message, StringComparison.Ordinal);
    }
}
