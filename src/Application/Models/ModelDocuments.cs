using CoConstruisons.Application.Abstractions;
using CoConstruisons.Application.Common;

namespace CoConstruisons.Application.Models;

/// <summary>Settings of the model loop (configuration section <c>Model</c>).</summary>
public sealed class ModelOptions
{
    /// <summary>Fewest confident labels (consensus or gold) a project needs before a model is trained.</summary>
    public int MinLabels { get; set; } = 40;

    /// <summary>Fewest confident labels each of at least two classes needs.</summary>
    public int MinPerClass { get; set; } = 5;

    /// <summary>Boosting iterations (null = the trainer's default, 250).</summary>
    public int? Iterations { get; set; }

    /// <summary>Which classifier: "network", "features" or "ensemble" (null = the trainer's default; docs/model.md).</summary>
    public string? Kind { get; set; }

    /// <summary>Passes of the network over the training images (null = the trainer's default).</summary>
    public int? Epochs { get; set; }

    /// <summary>
    /// z of the Wilson lower bound the calibration precision must reach the target with (null = the
    /// trainer's default, 1.645; 0 = the point estimate). With the bound, a project needs enough
    /// calibration images before anything is machine-labelled (25 all right for a 0.9 target).
    /// </summary>
    public double? ThresholdConfidenceZ { get; set; }

    /// <summary>Images predicted per batch (and per transaction of prediction events).</summary>
    public int PredictionBatch { get; set; } = 256;

    /// <summary>How often the scheduler looks for projects to retrain (hours; 0 turns scheduled retraining off).</summary>
    public double RetrainHours { get; set; } = 6;

    /// <summary>Scheduled retraining happens when the confident labels grew by this share since the latest version (or when there is none).</summary>
    public double RetrainGrowth { get; set; } = 0.2;
}

/// <summary>One trained model version of a project (id = model id): where it came from and how it measured.</summary>
public sealed class ModelVersion
{
    public Guid Id { get; set; }
    public Guid ProjectId { get; set; }

    /// <summary>1, 2, … per project; <see cref="Version"/> is "v" + number and names the files' folder.</summary>
    public int Number { get; set; }
    public string Version { get; set; } = "";
    public DateTimeOffset TrainedAt { get; set; }
    public string Method { get; set; } = "";
    public string Split { get; set; } = "";
    public List<string> Classes { get; set; } = [];

    /// <summary>Confident labels available (consensus at the project's confidence target, or gold); <see cref="GoldItems"/> of them gold.</summary>
    public int LabelledItems { get; set; }
    public int GoldItems { get; set; }
    public int TrainingItems { get; set; }
    public int CalibrationItems { get; set; }
    public int TestItems { get; set; }

    /// <summary>Held-out (test part) accuracy, per-class precision/recall, confusion (rows true, columns predicted, in <see cref="Classes"/> order).</summary>
    public double Accuracy { get; set; }
    public Dictionary<string, ClassScore> PerClass { get; set; } = [];
    public int[][] Confusion { get; set; } = [];

    /// <summary>Expected calibration error (15 bins) and log-loss on the test part, after temperature scaling.</summary>
    public double CalibrationError { get; set; }
    public double LogLoss { get; set; }
    public double Temperature { get; set; }

    /// <summary>The owner's target precision when trained, the threshold chosen on the calibration part, and what it gave on the test part.</summary>
    public double TargetPrecision { get; set; }
    public double Threshold { get; set; }
    public double AutoLabelCoverage { get; set; }
    public double AutoLabelPrecision { get; set; }
    public double TrainSeconds { get; set; }

    /// <summary>After prediction: items predicted, machine-labelled, and images that could not be read.</summary>
    public int Predicted { get; set; }
    public int MachineLabelled { get; set; }
    public int Unreadable { get; set; }
}

public enum ModelTrainingState
{
    Queued,
    Running,
    Done,
    Failed,
}

/// <summary>One training run of a project (queued by an owner or the schedule): its state and progress, for the portal.</summary>
public sealed class ModelTrainingRun
{
    public Guid Id { get; set; }
    public Guid ProjectId { get; set; }
    public ModelTrainingState State { get; set; }

    /// <summary>The stage running now (labels, images, features, boosting, saving, predictions) and how far through it.</summary>
    public string Stage { get; set; } = "";
    public int Done { get; set; }
    public int Total { get; set; }

    /// <summary>Why it failed (or a note when it is done).</summary>
    public string Message { get; set; } = "";
    public DateTimeOffset RequestedAt { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public Guid? ModelId { get; set; }
    public string? Version { get; set; }

    public bool IsActive => State is ModelTrainingState.Queued or ModelTrainingState.Running;

    /// <summary>
    /// A running run writes at least every <see cref="Heartbeat"/> while its process lives; one silent for
    /// <see cref="RunningLostAfter"/> lost its process (a crash, a stop that could not wait for it). A queued run waits
    /// for a scheduler thread, which may take long when many projects train: it is lost after <see cref="QueuedLostAfter"/>.
    /// </summary>
    public static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(30);

    public static readonly TimeSpan RunningLostAfter = TimeSpan.FromMinutes(5);

    public static readonly TimeSpan QueuedLostAfter = TimeSpan.FromHours(2);

    /// <summary>Whether the process working on this run is gone (it will never finish nor say it failed).</summary>
    public bool IsLost(DateTimeOffset now) =>
        (State == ModelTrainingState.Running && now - UpdatedAt >= RunningLostAfter) ||
        (State == ModelTrainingState.Queued && now - UpdatedAt >= QueuedLostAfter);

    /// <summary>The run as the owner should see it now: a lost run is shown failed, with why.</summary>
    public ModelTrainingRun AsSeenAt(DateTimeOffset now)
    {
        if (!IsLost(now))
        {
            return this;
        }

        var seen = (ModelTrainingRun)MemberwiseClone();
        seen.State = ModelTrainingState.Failed;
        seen.Message = Texts.T(
            $"Entraînement interrompu : aucune nouvelle depuis le {UpdatedAt:yyyy-MM-dd HH:mm} UTC (le serveur qui l'entraînait s'est arrêté). Relancez-le.",
            $"Training interrupted: no news since {UpdatedAt:yyyy-MM-dd HH:mm} UTC (the server training it stopped). Start it again.");
        return seen;
    }
}
