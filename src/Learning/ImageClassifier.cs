using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace CoConstruisons.Learning;

/// <summary>A model directory that cannot be used (missing, corrupt, incompatible).</summary>
public sealed class ModelLoadException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Everything a saved model carries beside its ML.NET zip (metadata.json).</summary>
public sealed record ModelMetadata
{
    public const int CurrentFormat = 1;

    [JsonPropertyName("format_version")] public int FormatVersion { get; init; } = CurrentFormat;

    [JsonPropertyName("model_version")] public string ModelVersion { get; init; } = "";

    [JsonPropertyName("feature_version")] public string FeatureVersion { get; init; } = RoofFeatureExtractor.Version;

    [JsonPropertyName("feature_count")] public int FeatureCount { get; init; }

    [JsonPropertyName("created_utc")] public DateTimeOffset CreatedUtc { get; init; }

    [JsonPropertyName("method")] public string Method { get; init; } = "";

    [JsonPropertyName("classes")] public IReadOnlyList<string> Classes { get; init; } = [];

    [JsonPropertyName("rotation_swaps")] public IReadOnlyList<string[]> RotationSwaps { get; init; } = [];

    [JsonPropertyName("augmentation")] public Augmentation Augmentation { get; init; }

    [JsonPropertyName("temperature")] public double Temperature { get; init; } = 1.0;

    [JsonPropertyName("auto_label")] public AutoLabelPolicy? AutoLabel { get; init; }

    [JsonPropertyName("metrics")] public EvaluationReport? Metrics { get; init; }

    [JsonPropertyName("split")] public string Split { get; init; } = "";

    [JsonPropertyName("training_images")] public int TrainingImages { get; init; }

    [JsonPropertyName("model_sha256")] public string ModelSha256 { get; init; } = "";

    /// <summary>Share of the network in the averaged probabilities: 0 = features model only, 1 = network only.</summary>
    [JsonPropertyName("network_weight")] public double NetworkWeight { get; init; }

    /// <summary>SHA-256 of network.bin; empty when the model has no network.</summary>
    [JsonPropertyName("network_sha256")] public string NetworkSha256 { get; init; } = "";

    [JsonIgnore] internal bool HasFeatureModel => FeatureCount > 0;

    [JsonIgnore] internal bool HasNetwork => NetworkSha256.Length > 0;
}

/// <summary>
/// A trained image classifier: the ML.NET LightGBM transformer over <see cref="RoofFeatureExtractor"/>
/// features and/or the compact convolutional network (<see cref="Cnn.CnnModel"/>), each averaged
/// over the symmetries it was trained with (test-time augmentation, classes permuted back), mixed
/// with the weight chosen on the calibration part, then temperature-calibrated. Thread-safe for
/// prediction.
/// </summary>
public sealed class ImageClassifier
{
    public const string ModelFile = "model.zip";
    public const string NetworkFile = "network.bin";
    public const string MetadataFile = "metadata.json";

    internal static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    private readonly MLContext _ml;
    private readonly ITransformer? _model;
    private readonly Cnn.CnnModel? _network;
    private readonly LabelSymmetry _symmetry;

    public ModelMetadata Metadata { get; }

    public IReadOnlyList<string> Classes => Metadata.Classes;

    internal ImageClassifier(MLContext ml, ITransformer? model, Cnn.CnnModel? network, ModelMetadata metadata)
    {
        if (model is null && network is null)
        {
            throw new ArgumentException("A classifier needs a features model, a network or both.");
        }

        _ml = ml;
        _model = model;
        _network = network;
        Metadata = metadata;
        _symmetry = new LabelSymmetry(metadata.Classes, metadata.RotationSwaps.Select(p => (p[0], p[1])));
    }

    internal ImageClassifier WithMetadata(ModelMetadata metadata) => new(_ml, _model, _network, metadata);

    /// <summary>The same classifier under another version name (e.g. the platform's "v3").</summary>
    public ImageClassifier WithVersion(string version) => WithMetadata(Metadata with { ModelVersion = version });

    /// <summary>Calibrated class probabilities (in <see cref="Classes"/> order) for each image.</summary>
    public IReadOnlyList<float[]> Predict(IReadOnlyList<ImageRaster> images) => Predict(images, Metadata.Temperature);

    internal IReadOnlyList<float[]> Predict(IReadOnlyList<ImageRaster> images, double temperature)
    {
        ArgumentNullException.ThrowIfNull(images);
        var weight = _model is null ? 1.0 : _network is null ? 0.0 : Metadata.NetworkWeight;
        var features = weight < 1 ? PredictFeatures(images) : null;
        var network = weight > 0 ? PredictNetwork(images) : null;
        return Mix(features, network, weight).Select(p => Evaluation.ApplyTemperature(p, temperature)).ToList();
    }

    /// <summary>Weighted average of the two components' probabilities (either may be null when its weight is 0 or 1).</summary>
    internal static IReadOnlyList<float[]> Mix(IReadOnlyList<float[]>? features, IReadOnlyList<float[]>? network, double networkWeight)
    {
        if (features is null || networkWeight >= 1)
        {
            return network ?? throw new ArgumentNullException(nameof(network));
        }

        if (network is null || networkWeight <= 0)
        {
            return features;
        }

        var w = (float)networkWeight;
        return features.Select((f, i) => f.Select((v, c) => ((1 - w) * v) + (w * network[i][c])).ToArray()).ToList();
    }

    /// <summary>The network's probabilities averaged over the symmetries (null when there is no network).</summary>
    internal IReadOnlyList<float[]>? PredictNetwork(IReadOnlyList<ImageRaster> images) =>
        _network?.Predict(images, LabelSymmetry.Transforms(Metadata.Augmentation), _symmetry, Trainer.Parallelism.MaxDegreeOfParallelism);

    /// <summary>The features model's probabilities averaged over the symmetries (null when there is none).</summary>
    internal IReadOnlyList<float[]>? PredictFeatures(IReadOnlyList<ImageRaster> images)
    {
        if (_model is null)
        {
            return null;
        }

        var transforms = LabelSymmetry.Transforms(Metadata.Augmentation);
        var rows = new FeatureRow[images.Count * transforms.Count];
        Parallel.For(0, images.Count, Trainer.Parallelism, i =>
        {
            for (var t = 0; t < transforms.Count; t++)
            {
                rows[(i * transforms.Count) + t] = new FeatureRow { Features = RoofFeatureExtractor.Extract(images[i].Transformed(transforms[t])) };
            }
        });

        var scores = Score(rows);
        var k = Classes.Count;
        var result = new float[images.Count][];
        for (var i = 0; i < images.Count; i++)
        {
            var average = new float[k];
            for (var t = 0; t < transforms.Count; t++)
            {
                var s = scores[(i * transforms.Count) + t];

                // s[c] is the probability that the transformed image shows class c, i.e. that the
                // original shows the class c came from (the maps are involutions).
                for (var c = 0; c < k; c++)
                {
                    average[_symmetry.Map(c, transforms[t])] += s[c] / transforms.Count;
                }
            }

            result[i] = average;
        }

        return result;
    }

    private float[][] Score(FeatureRow[] rows)
    {
        ArgumentNullException.ThrowIfNull(_model);
        var schema = Trainer.FeatureSchema<FeatureRow>(Metadata.FeatureCount);
        var data = _ml.Data.LoadFromEnumerable(rows, schema);
        var scored = _model.Transform(data);
        var column = scored.Schema["Score"];
        var result = new float[rows.Length][];
        using var cursor = scored.GetRowCursor([column]);
        var getter = cursor.GetGetter<VBuffer<float>>(column);
        VBuffer<float> buffer = default;
        var i = 0;
        while (cursor.MoveNext())
        {
            getter(ref buffer);
            result[i++] = buffer.DenseValues().ToArray();
        }

        return result;
    }

    /// <summary>
    /// Writes model.zip and metadata.json into <paramref name="directory"/> (created if needed).
    /// Each file is written to a temporary name, flushed, then renamed over the old one, so a
    /// crash never leaves a half-written file; metadata.json (renamed last) records the SHA-256 of
    /// model.zip, so a model.zip from another save is detected at load time.
    /// </summary>
    public void Save(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        Directory.CreateDirectory(directory);
        var modelTemp = Path.Combine(directory, $".{ModelFile}.{Guid.NewGuid():N}.tmp");
        var networkTemp = Path.Combine(directory, $".{NetworkFile}.{Guid.NewGuid():N}.tmp");
        var metadataTemp = Path.Combine(directory, $".{MetadataFile}.{Guid.NewGuid():N}.tmp");
        try
        {
            var metadata = Metadata;
            if (_model is not null)
            {
                using (var stream = new FileStream(modelTemp, FileMode.CreateNew, FileAccess.Write))
                {
                    var inputSchema = _ml.Data.LoadFromEnumerable(Array.Empty<FeatureRow>(), Trainer.FeatureSchema<FeatureRow>(Metadata.FeatureCount)).Schema;
                    _ml.Model.Save(_model, inputSchema, stream);
                    stream.Flush(flushToDisk: true);
                }

                metadata = metadata with { ModelSha256 = Sha256(modelTemp) };
            }

            if (_network is not null)
            {
                using (var stream = new FileStream(networkTemp, FileMode.CreateNew, FileAccess.Write))
                {
                    _network.Write(stream);
                    stream.Flush(flushToDisk: true);
                }

                metadata = metadata with { NetworkSha256 = Sha256(networkTemp) };
            }

            using (var stream = new FileStream(metadataTemp, FileMode.CreateNew, FileAccess.Write))
            {
                JsonSerializer.Serialize(stream, metadata, Json);
                stream.Flush(flushToDisk: true);
            }

            if (_model is not null)
            {
                File.Move(modelTemp, Path.Combine(directory, ModelFile), overwrite: true);
            }

            if (_network is not null)
            {
                File.Move(networkTemp, Path.Combine(directory, NetworkFile), overwrite: true);
            }

            File.Move(metadataTemp, Path.Combine(directory, MetadataFile), overwrite: true);
        }
        finally
        {
            File.Delete(modelTemp);
            File.Delete(networkTemp);
            File.Delete(metadataTemp);
        }
    }

    /// <summary>
    /// Checks a model directory without loading ML.NET: both files present, metadata valid and of
    /// this build's format and features, model.zip matching its recorded SHA-256.
    /// </summary>
    /// <exception cref="ModelLoadException">Any of these fails (the message says which).</exception>
    public static ModelMetadata Verify(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        if (!Directory.Exists(directory))
        {
            throw new ModelLoadException(Messages.T(
                $"Le dossier de modèle « {directory} » n'existe pas (entraînez-en un avec `coconstruisons train-images`).",
                $"Model directory '{directory}' does not exist (train one with `coconstruisons train-images`)."));
        }

        var modelPath = Path.Combine(directory, ModelFile);
        var networkPath = Path.Combine(directory, NetworkFile);
        var metadataPath = Path.Combine(directory, MetadataFile);
        if (!File.Exists(metadataPath))
        {
            throw new ModelLoadException(Incomplete(directory, MetadataFile));
        }

        ModelMetadata? metadata;
        try
        {
            metadata = JsonSerializer.Deserialize<ModelMetadata>(File.ReadAllText(metadataPath), Json);
        }
        catch (JsonException ex)
        {
            throw new ModelLoadException(Messages.T(
                $"« {metadataPath} » n'est pas un JSON de métadonnées de modèle valide : {ex.Message}",
                $"'{metadataPath}' is not valid model metadata JSON: {ex.Message}"), ex);
        }

        if (metadata is null || metadata.Classes.Count < 2 || (!metadata.HasFeatureModel && !metadata.HasNetwork) || metadata.FeatureCount < 0 || !(metadata.NetworkWeight is >= 0 and <= 1))
        {
            throw new ModelLoadException(Messages.T(
                $"« {metadataPath} » est incomplet (classes, nombre de caractéristiques ou réseau manquants, ou poids du réseau hors de 0..1).",
                $"'{metadataPath}' is incomplete (classes, feature count or network missing, or network weight outside 0..1)."));
        }

        foreach (var (needed, path) in new[] { (metadata.HasFeatureModel, modelPath), (metadata.HasNetwork, networkPath) })
        {
            if (needed && !File.Exists(path))
            {
                throw new ModelLoadException(Incomplete(directory, Path.GetFileName(path)));
            }
        }

        if (metadata.FormatVersion != ModelMetadata.CurrentFormat)
        {
            throw new ModelLoadException(Messages.T(
                $"« {metadataPath} » est au format version {metadata.FormatVersion} ; cette version du logiciel lit la version {ModelMetadata.CurrentFormat}.",
                $"'{metadataPath}' has format version {metadata.FormatVersion}; this build reads version {ModelMetadata.CurrentFormat}."));
        }

        if (metadata.HasFeatureModel && (metadata.FeatureVersion != RoofFeatureExtractor.Version || metadata.FeatureCount != RoofFeatureExtractor.Length))
        {
            throw new ModelLoadException(Messages.T(
                $"Le modèle a été entraîné sur les caractéristiques « {metadata.FeatureVersion} » ({metadata.FeatureCount} valeurs) ; cette version du logiciel calcule « {RoofFeatureExtractor.Version} » ({RoofFeatureExtractor.Length}). Entraînez-le à nouveau.",
                $"The model was trained on features '{metadata.FeatureVersion}' ({metadata.FeatureCount} values); this build computes '{RoofFeatureExtractor.Version}' ({RoofFeatureExtractor.Length}). Retrain it."));
        }

        foreach (var (needed, path, checksum) in new[] { (metadata.HasFeatureModel, modelPath, metadata.ModelSha256), (metadata.HasNetwork, networkPath, metadata.NetworkSha256) })
        {
            if (needed && !string.Equals(Sha256(path), checksum, StringComparison.OrdinalIgnoreCase))
            {
                throw new ModelLoadException(Messages.T(
                    $"« {path} » ne correspond pas à la somme de contrôle de {MetadataFile} : le fichier est corrompu ou vient d'un autre enregistrement.",
                    $"'{path}' does not match the checksum in {MetadataFile}: the file is corrupt or comes from another save."));
            }
        }

        return metadata;
    }

    private static string Incomplete(string directory, string missing) => Messages.T(
        $"Le dossier de modèle « {directory} » n'a pas de {missing} : ce n'est pas un modèle enregistré complet.",
        $"Model directory '{directory}' has no {missing}: it is not a complete saved model.");

    public static ImageClassifier Load(string directory)
    {
        var metadata = Verify(directory);
        var modelPath = Path.Combine(directory, ModelFile);
        var networkPath = Path.Combine(directory, NetworkFile);
        var ml = new MLContext(seed: 0);
        ITransformer? model = null;
        Cnn.CnnModel? network = null;
        if (metadata.HasFeatureModel)
        {
            try
            {
                using var stream = File.OpenRead(modelPath);
                model = ml.Model.Load(stream, out _);
            }
            catch (Exception ex) when (ex is InvalidOperationException or FormatException or IOException or InvalidDataException or ArgumentException)
            {
                throw new ModelLoadException(Messages.T(
                    $"« {modelPath} » ne peut pas être chargé par ML.NET : {ex.Message}",
                    $"'{modelPath}' cannot be loaded by ML.NET: {ex.Message}"), ex);
            }
        }

        if (metadata.HasNetwork)
        {
            try
            {
                using var stream = File.OpenRead(networkPath);
                network = Cnn.CnnModel.Read(stream);
            }
            catch (Exception ex) when (ex is IOException or InvalidDataException)
            {
                throw new ModelLoadException(Messages.T(
                    $"« {networkPath} » est illisible : {ex.Message}",
                    $"'{networkPath}' cannot be read: {ex.Message}"), ex);
            }

            if (network.Net.Shape.Classes != metadata.Classes.Count)
            {
                throw new ModelLoadException(Messages.T(
                    $"« {networkPath} » prédit {network.Net.Shape.Classes} classes ; {MetadataFile} en nomme {metadata.Classes.Count}.",
                    $"'{networkPath}' predicts {network.Net.Shape.Classes} classes; {MetadataFile} names {metadata.Classes.Count}."));
            }
        }

        return new ImageClassifier(ml, model, network, metadata);
    }

    private static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexString(SHA256.HashData(stream));
    }
}

internal sealed class FeatureRow
{
    public float[] Features { get; set; } = [];
}

internal sealed class LabelledRow
{
    public float[] Features { get; set; } = [];

    public string LabelText { get; set; } = "";
}
