using CoConstruisons.Learning;

namespace CoConstruisons.Learning.Tests;

[UiCulture("en-GB")]
public sealed class InputTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("coconstruisons-input-tests-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void An_unreadable_image_names_the_file()
    {
        var path = Path.Combine(_dir, "broken.jpg");
        File.WriteAllBytes(path, [0xFF, 0xD8, 0x00, 0x01, 0x02]);
        var ex = Assert.Throws<UnreadableImageException>(() => ImageRaster.Load(path));
        Assert.Contains("broken.jpg", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_image_file_is_reported_as_empty()
    {
        var ex = Assert.Throws<UnreadableImageException>(() => ImageRaster.Decode([], "empty.png"));
        Assert.Contains("empty", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_truncated_image_is_refused_as_truncated_as_the_platforms_upload_refuses_it()
    {
        using var bitmap = new SkiaSharp.SKBitmap(64, 64);
        bitmap.Erase(SkiaSharp.SKColors.Teal);
        using var image = SkiaSharp.SKImage.FromBitmap(bitmap);
        using var png = image.Encode(SkiaSharp.SKEncodedImageFormat.Png, 100);
        var whole = png.ToArray();
        Assert.Equal(64, ImageRaster.Decode(whole, "whole.png").OriginalWidth);

        var path = Path.Combine(_dir, "cut.png");
        File.WriteAllBytes(path, whole[..100]);
        var ex = Assert.Throws<UnreadableImageException>(() => ImageRaster.Load(path));

        Assert.Contains("cut.png", ex.Message, StringComparison.Ordinal);
        Assert.Contains("truncated image", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_image_directory_is_refused()
    {
        var ex = Assert.Throws<TrainingDataException>(() => ImageFolder.List(_dir));
        Assert.Contains("no image", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Labels_naming_unknown_images_are_listed()
    {
        File.WriteAllBytes(Path.Combine(_dir, "a.jpg"), [1]);
        var labels = Path.Combine(_dir, "labels.csv");
        File.WriteAllLines(labels, ["item,label", "a,1", "ghost1,2", "ghost2,3"]);
        var ex = Assert.Throws<TrainingDataException>(() => ImageFolder.ReadLabels(labels, ImageFolder.List(_dir)));
        Assert.Contains("2 label(s)", ex.Message, StringComparison.Ordinal);
        Assert.Contains("'ghost1'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_labels_file_without_header_is_refused()
    {
        File.WriteAllBytes(Path.Combine(_dir, "a.jpg"), [1]);
        var labels = Path.Combine(_dir, "labels.csv");
        File.WriteAllLines(labels, ["a,1"]);
        var ex = Assert.Throws<TrainingDataException>(() => ImageFolder.ReadLabels(labels, ImageFolder.List(_dir)));
        Assert.Contains("header", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_split_depends_only_on_the_id_and_holds_out_about_a_quarter()
    {
        var ids = Enumerable.Range(0, 4000).Select(i => $"-{i * 7919}").ToList();
        var held = ids.Count(id => DataSplit.IsHeldOut(id, 0.25));
        Assert.InRange(held, 880, 1120);
        Assert.Equal(ids.Select(id => DataSplit.IsHeldOut(id, 0.25)), ids.Select(id => DataSplit.IsHeldOut(id, 0.25)));
    }
}
