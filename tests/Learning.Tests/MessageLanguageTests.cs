using System.Globalization;

namespace CoConstruisons.Learning.Tests;

/// <summary>French first, English too: the messages this library gives people follow CurrentUICulture, as the platform's texts do.</summary>
public sealed class MessageLanguageTests
{
    [Fact]
    [UiCulture("fr-FR")]
    public void Data_model_file_and_image_checks_are_in_french_under_a_french_ui_culture()
    {
        var missing = Path.Combine(Path.GetTempPath(), "coco-absent-" + Guid.NewGuid().ToString("N"));

        Assert.Equal($"Le dossier d'images « {missing} » n'existe pas.", Assert.Throws<TrainingDataException>(() => ImageFolder.List(missing)).Message);
        Assert.Equal(
            $"Le dossier de modèle « {missing} » n'existe pas (entraînez-en un avec `coconstruisons train-images`).",
            Assert.Throws<ModelLoadException>(() => ImageClassifier.Verify(missing)).Message);
        Assert.Equal("Impossible de lire l'image « vide.png » : le fichier est vide.", Assert.Throws<UnreadableImageException>(() => ImageRaster.Decode([], "vide.png")).Message);
    }

    [Theory]
    [InlineData("fr-FR", "en français")]
    [InlineData("fr-CA", "en français")]
    [InlineData("de-DE", "en français")]
    [InlineData("en-GB", "in English")]
    [InlineData("en-US", "in English")]
    public void English_is_chosen_for_an_english_ui_culture_and_french_otherwise(string culture, string expected)
    {
        var before = CultureInfo.CurrentUICulture;
        try
        {
            CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo(culture);

            Assert.Equal(expected, Messages.T("en français", "in English"));
        }
        finally
        {
            CultureInfo.CurrentUICulture = before;
        }
    }
}
