namespace CoConstruisons.Learning;

/// <summary>Which symmetries of the square the training set is augmented with (and predictions averaged over).</summary>
public enum Augmentation
{
    /// <summary>No augmentation: the image as it is.</summary>
    None,

    /// <summary>Half turn and mirrors (classes unchanged).</summary>
    Flips,

    /// <summary>All 8 symmetries: quarter turns permute the classes named in the rotation swaps.</summary>
    Dihedral,
}

/// <summary>
/// How a class label changes when the image turns by a quarter: a north–south roof becomes an
/// east–west roof and back; flat and other roofs stay what they are. Mirrors keep every class.
/// </summary>
public sealed class LabelSymmetry
{
    /// <summary>Pairs recognised automatically when both classes are present.</summary>
    public static readonly IReadOnlyList<(string A, string B)> KnownRotationSwaps =
    [
        ("1", "2"),
        ("north_south", "east_west"),
        ("nord_sud", "est_ouest"),
    ];

    private readonly int[] _quarterTurn;

    public IReadOnlyList<string> Classes { get; }

    public IReadOnlyList<(string A, string B)> RotationSwaps { get; }

    public LabelSymmetry(IReadOnlyList<string> classes, IEnumerable<(string A, string B)> rotationSwaps)
    {
        ArgumentNullException.ThrowIfNull(classes);
        ArgumentNullException.ThrowIfNull(rotationSwaps);
        Classes = classes;
        var swaps = rotationSwaps.ToList();
        RotationSwaps = swaps;
        _quarterTurn = Enumerable.Range(0, classes.Count).ToArray();
        var index = classes.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i, StringComparer.Ordinal);
        var used = new HashSet<string>(StringComparer.Ordinal);
        // The swaps come from whoever trains (train-images --rotation-swap): their checks are messages for them, with no parameter name.
        foreach (var (a, b) in swaps)
        {
            if (!index.TryGetValue(a, out var ia) || !index.TryGetValue(b, out var ib))
            {
                throw new ArgumentException(Messages.T(
                    $"L'échange par rotation {a}:{b} nomme une classe absente des étiquettes ({string.Join(", ", classes)}).",
                    $"Rotation swap {a}:{b} names a class that is not among the labels ({string.Join(", ", classes)})."));
            }

            if (a == b || !used.Add(a) || !used.Add(b))
            {
                throw new ArgumentException(Messages.T(
                    $"Échange par rotation {a}:{b} : chaque classe ne peut figurer que dans une seule paire, avec une autre classe.",
                    $"Rotation swap {a}:{b}: each class may appear in at most one pair, with another class."));
            }

            _quarterTurn[ia] = ib;
            _quarterTurn[ib] = ia;
        }
    }

    /// <summary>The symmetry with every known pair found among <paramref name="classes"/>.</summary>
    public static LabelSymmetry Detect(IReadOnlyList<string> classes) =>
        new(classes, KnownRotationSwaps.Where(p => classes.Contains(p.A) && classes.Contains(p.B)));

    /// <summary>The class index that class <paramref name="classIndex"/> becomes under <paramref name="transform"/> (0..7, see <see cref="ImageRaster.Transformed"/>).</summary>
    public int Map(int classIndex, int transform) =>
        ImageRaster.SwapsAxes(transform) ? _quarterTurn[classIndex] : classIndex;

    public string Map(string label, int transform)
    {
        var i = Classes.ToList().IndexOf(label);
        return i < 0 ? throw new ArgumentException($"Unknown class '{label}'.", nameof(label)) : Classes[Map(i, transform)];
    }

    public static IReadOnlyList<int> Transforms(Augmentation augmentation) => augmentation switch
    {
        Augmentation.None => [0],
        Augmentation.Flips => [0, 2, 4, 6],
        Augmentation.Dihedral => [0, 1, 2, 3, 4, 5, 6, 7],
        _ => throw new ArgumentOutOfRangeException(nameof(augmentation)),
    };
}
