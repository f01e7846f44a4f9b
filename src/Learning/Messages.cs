using System.Globalization;

namespace CoConstruisons.Learning;

/// <summary>
/// French first, English too, for the messages this library gives people (data checks, model files,
/// unreadable images): the text for <see cref="CultureInfo.CurrentUICulture"/>, English when its
/// language is English, French otherwise, as the platform's Texts does (Learning does not depend on
/// the Application layer, hence this copy).
/// </summary>
internal static class Messages
{
    public static bool IsEnglish => CultureInfo.CurrentUICulture.TwoLetterISOLanguageName == "en";

    public static string T(string french, string english) => IsEnglish ? english : french;
}
