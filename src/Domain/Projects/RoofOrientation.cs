namespace CoConstruisons.Domain.Projects;

/// <summary>The four answers of the roof-orientation question (OpenSolarMap and the demo project).</summary>
public static class RoofOrientation
{
    public static IReadOnlyList<Choice> Choices { get; } =
    [
        new Choice("north_south", "Nord–sud"),
        new Choice("east_west", "Est–ouest"),
        new Choice("flat", "Plat"),
        new Choice("other", "Autre"),
    ];
}
