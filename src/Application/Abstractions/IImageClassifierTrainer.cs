namespace CoConstruisons.Application.Abstractions;

/// <summary>
/// One confident label to learn from: the item, its stored image and the label, and the contributors'
/// answers on it per choice (null for gold items: the owner's label is certain). The network learns the
/// label softened by how the answers split.
/// </summary>
public sealed record TrainingExample(Guid ItemId, string ContentHash, string Label, IReadOnlyDictionary<string, int>? Votes = null);

/// <summary>What to train and where to write the model files.</summary>
/// <param name="Directory">Folder that receives the model files (created; a half-written model never stays there).</param>
/// <param name="Iterations">Boosting iterations (null = the trainer's default).</param>
/// <param name="Kind">"network", "features" or "ensemble" (null = the trainer's default).</param>
/// <param name="Epochs">Passes of the network over the training images (null = the trainer's default).</param>
/// <param name="ThresholdConfidenceZ">z of the Wilson bound for the auto-label threshold (null = the trainer's default).</param>
public sealed record ClassifierTrainingRequest(
    IReadOnlyList<TrainingExample> Examples,
    double TargetPrecision,
    string Directory,
    string Version,
    int? Iterations = null,
    string? Kind = null,
    int? Epochs = null,
    double? ThresholdConfidenceZ = null);

/// <summary>Held-out precision, recall and support of one class.</summary>
public sealed record ClassScore(double Precision, double Recall, int Support);

/// <summary>
/// A trained and saved classifier's measured figures. Metrics are on the test part, the threshold is
/// chosen on the calibration part (neither was trained on); <see cref="TrainingItemIds"/> are the
/// items the model was fitted on.
/// </summary>
public sealed record ClassifierTrainingReport(
    IReadOnlyList<string> Classes,
    double Accuracy,
    IReadOnlyDictionary<string, ClassScore> PerClass,
    int[][] Confusion,
    double CalibrationError,
    double LogLoss,
    double Temperature,
    double Threshold,
    double AutoLabelCoverage,
    double AutoLabelPrecision,
    int TrainingItems,
    int CalibrationItems,
    int TestItems,
    IReadOnlySet<Guid> TrainingItemIds,
    IReadOnlyList<Guid> UnreadableItemIds,
    double TrainSeconds,
    string Method,
    string Split);

/// <summary>Where a training run stands, for progress bars: a stage and how far through it.</summary>
public sealed record TrainingProgress(string Stage, int Done, int Total);

/// <summary>A model's files are missing, corrupt or unreadable.</summary>
public sealed class ModelFileException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Trains image classifiers from stored images and loads saved ones (ML.NET lives behind this port,
/// in Infrastructure). Training and prediction are CPU-bound and synchronous: callers run them off
/// the request path (a Quartz job).
/// </summary>
public interface IImageClassifierTrainer
{
    /// <exception cref="ArgumentException">Too few readable examples to split and train.</exception>
    ClassifierTrainingReport Train(ClassifierTrainingRequest request, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken);

    /// <exception cref="ModelFileException">The model files are missing, corrupt or from another build.</exception>
    ILoadedClassifier Load(string directory);

    /// <summary>Checks a saved model's files (present, checksum matches) without loading ML.NET.</summary>
    /// <exception cref="ModelFileException">They are not.</exception>
    void Verify(string directory);
}

/// <summary>A loaded classifier.</summary>
public interface ILoadedClassifier
{
    IReadOnlyList<string> Classes { get; }

    /// <summary>Calibrated probabilities (in <see cref="Classes"/> order) per stored image; null for an image that is missing or unreadable.</summary>
    IReadOnlyList<float[]?> Predict(IReadOnlyList<string> contentHashes, CancellationToken cancellationToken);
}

/// <summary>Where model versions' files live (Storage:Path/models/{project}/{version}/ on disk).</summary>
public interface IModelFileStore
{
    string DirectoryFor(Guid projectId, string version);
}

/// <summary>Queues a training run of a project on the scheduler (one node runs it; one run per project at a time).</summary>
public interface IModelTrainingQueue
{
    Task EnqueueAsync(Guid projectId, Guid runId, CancellationToken cancellationToken);
}
