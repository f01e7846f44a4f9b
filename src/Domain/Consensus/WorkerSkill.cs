namespace CoConstruisons.Domain.Consensus;

/// <summary>
/// What the fit believes about one contributor: their confusion matrix (row = true choice,
/// column = the choice they gave; each row sums to 1), their expected accuracy under the class
/// frequencies, and how many answers that is based on (0 for the prior of an unknown contributor).
/// </summary>
public sealed class WorkerSkill
{
    private readonly double[] _confusion;

    internal WorkerSkill(string worker, int answers, double[] confusion, int classes, IReadOnlyList<double> classPrior)
    {
        Worker = worker;
        Answers = answers;
        Classes = classes;
        _confusion = confusion;
        LogConfusion = new double[confusion.Length];
        for (var x = 0; x < confusion.Length; x++)
        {
            LogConfusion[x] = Math.Log(Math.Max(confusion[x], 1e-300));
        }

        for (var k = 0; k < classes; k++)
        {
            Accuracy += classPrior[k] * confusion[(k * classes) + k];
        }
    }

    public string Worker { get; }

    /// <summary>Answers (evidence, after repeats were resolved) the estimate is based on.</summary>
    public int Answers { get; }

    public int Classes { get; }

    /// <summary>Probability of giving a right answer on an item drawn from the fitted class frequencies.</summary>
    public double Accuracy { get; }

    /// <summary>The confusion matrix, row-major: [trueClass * Classes + answered].</summary>
    public IReadOnlyList<double> Confusion => _confusion;

    /// <summary>Log of the confusion matrix, row-major; what an incremental update adds.</summary>
    internal double[] LogConfusion { get; }

    /// <summary>P(answers <paramref name="answered"/> | the true choice is <paramref name="trueClass"/>).</summary>
    public double Probability(int trueClass, int answered) => _confusion[(trueClass * Classes) + answered];
}
