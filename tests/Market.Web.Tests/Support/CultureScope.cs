using System.Globalization;

namespace Market.Web.Tests.Support;

/// <summary>
/// Runs the rest of a test in a culture, as the request localization runs a page's circuit, and restores the one
/// before when disposed.
/// </summary>
public sealed class CultureScope : IDisposable
{
    private readonly CultureInfo _culture = CultureInfo.CurrentCulture;
    private readonly CultureInfo _uiCulture = CultureInfo.CurrentUICulture;

    private CultureScope(CultureInfo culture) => (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture) = (culture, culture);

    public static CultureScope In(string name) => new(CultureInfo.GetCultureInfo(name));

    public void Dispose() => (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture) = (_culture, _uiCulture);
}
