using System.Globalization;

namespace CoConstruisons.Application.Common;

/// <summary>French first, English too: picks the text for the current UI culture.</summary>
public static class Texts
{
    public static bool IsEnglish => CultureInfo.CurrentUICulture.TwoLetterISOLanguageName == "en";

    public static string T(string french, string english) => IsEnglish ? english : french;
}
