using CoConstruisons.Application.Abstractions;
using CoConstruisons.Learning;

namespace CoConstruisons.Infrastructure.Learning;

/// <summary>
/// The platform's trainer: src/Learning's classifier (compact network and/or roof features + ML.NET
/// LightGBM, docs/model.md; configuration Model:Kind, Model:Epochs, Model:Iterations) on the
/// stored images (<see cref="IImageStore"/>), with its fixed hashed split on the item ids
/// (test 25 %, calibration 15 % of the rest, training the remainder).
/// </summary>
public sealed class MlImageClassifierTrainer(IImageStore images) : IImageClassifierTrainer
{
    public ClassifierTrainingReport Train(ClassifierTrainingRequest request, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var options = new TrainerOptions { TargetPrecision = request.TargetPrecision };
        if (request.Iterations is { } iterations)
        {
            options = options with { Iterations = iterations };
        }

        if (request.Kind is { } kind)
        {
            options = options with
            {
                Model = ModelKinds.Parse(kind) ?? throw new ArgumentException($"Model:Kind must be network, features or ensemble, not '{kind}'."),
            };
        }

        if (request.ThresholdConfidenceZ is { } z)
        {
            options = options with { ThresholdConfidenceZ = z };
        }

        if (request.Epochs is { } epochs)
        {
            options = options with { Network = options.Network with { Epochs = epochs } };
        }

        var labelled = new List<LabelledImage>(request.Examples.Count);
        var unreadable = new List<Guid>();
        for (var i = 0; i < request.Examples.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var example = request.Examples[i];
            var raster = Decode(example.ContentHash);
            if (raster is null)
            {
                unreadable.Add(example.ItemId);
            }
            else
            {
                labelled.Add(new LabelledImage(example.ItemId.ToString(), raster, example.Label, example.Votes));
            }

            if ((i + 1) % 100 == 0 || i + 1 == request.Examples.Count)
            {
                progress?.Report(new TrainingProgress("images", i + 1, request.Examples.Count));
            }
        }

        var forward = progress is null ? null : new Progress(progress);
        var result = Trainer.Train(labelled, options, forward, cancellationToken);
        progress?.Report(new TrainingProgress("saving", 0, 1));
        result.Classifier.WithVersion(request.Version).Save(request.Directory);
        var training = labelled
            .Where(l => !DataSplit.IsHeldOut(l.Id, options.TestFraction) && !DataSplit.IsHeldOut(l.Id, options.CalibrationFraction, DataSplit.CalibrationSalt))
            .Select(l => Guid.Parse(l.Id))
            .ToHashSet();
        var test = result.Test;
        return new ClassifierTrainingReport(
            result.Classifier.Classes,
            test.Accuracy,
            test.PerClass.ToDictionary(c => c.Key, c => new ClassScore(c.Value.Precision, c.Value.Recall, c.Value.Support), StringComparer.Ordinal),
            test.Confusion,
            test.Ece,
            test.LogLoss,
            Math.Round(result.Classifier.Metadata.Temperature, 4),
            result.AutoLabel.Threshold,
            result.AutoLabel.Coverage,
            result.AutoLabel.Precision,
            result.TrainImages,
            result.CalibrationImages,
            result.TestImages,
            training,
            unreadable,
            result.TrainSeconds,
            result.Classifier.Metadata.Method,
            Trainer.SplitDescription(options));
    }

    public ILoadedClassifier Load(string directory)
    {
        try
        {
            return new Loaded(ImageClassifier.Load(directory), this);
        }
        catch (ModelLoadException ex)
        {
            throw new ModelFileException(ex.Message, ex);
        }
    }

    public void Verify(string directory)
    {
        try
        {
            ImageClassifier.Verify(directory);
        }
        catch (ModelLoadException ex)
        {
            throw new ModelFileException(ex.Message, ex);
        }
    }

    private ImageRaster? Decode(string contentHash)
    {
        using var stream = images.OpenOriginal(contentHash);
        if (stream is null)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        try
        {
            return ImageRaster.Decode(buffer.ToArray(), contentHash);
        }
        catch (UnreadableImageException)
        {
            return null;
        }
    }

    private sealed class Loaded(ImageClassifier classifier, MlImageClassifierTrainer owner) : ILoadedClassifier
    {
        public IReadOnlyList<string> Classes => classifier.Classes;

        public IReadOnlyList<float[]?> Predict(IReadOnlyList<string> contentHashes, CancellationToken cancellationToken)
        {
            var rasters = contentHashes.Select(owner.Decode).ToList();
            cancellationToken.ThrowIfCancellationRequested();
            var readable = rasters.Where(r => r is not null).Select(r => r!).ToList();
            var predicted = readable.Count == 0 ? [] : classifier.Predict(readable);
            var result = new float[]?[contentHashes.Count];
            var next = 0;
            for (var i = 0; i < rasters.Count; i++)
            {
                result[i] = rasters[i] is null ? null : predicted[next++];
            }

            return result;
        }
    }

    private sealed class Progress(IProgress<TrainingProgress> target) : IProgress<(string Stage, int Done, int Total)>
    {
        public void Report((string Stage, int Done, int Total) value) => target.Report(new TrainingProgress(value.Stage, value.Done, value.Total));
    }
}

/// <summary>Model versions on disk: {Storage:Path}/models/{project id, 32 hex}/{version}/ (model.zip, metadata.json).</summary>
public sealed class FileSystemModelFileStore(string root) : IModelFileStore
{
    public string DirectoryFor(Guid projectId, string version)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(version);
        if (version.AsSpan().IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || version.Contains("..", StringComparison.Ordinal))
        {
            throw new ArgumentException($"Invalid model version '{version}'.", nameof(version));
        }

        return Path.Combine(root, projectId.ToString("N"), version);
    }
}
