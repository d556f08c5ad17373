using MudBlazor;

namespace Market.Web.Components.Layout;

/// <summary>The app's palette and type: system fonts only, so the app works offline without a font CDN.</summary>
public static class MarketTheme
{
    public static readonly MudTheme Theme = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#0f6e5f",
            Secondary = "#e09b12",
            Tertiary = "#2f6fb0",
            AppbarBackground = "#0f6e5f",
            Background = "#f6f8f7",
            // Darker than MudBlazor's defaults so white text on alerts and snackbars meets WCAG AA contrast.
            Success = "#17693a",
            Info = "#1259a7",
            Warning = "#8a4b00",
            Error = "#b3261e",
        },
        Typography = new Typography
        {
            Default = new DefaultTypography
            {
                FontFamily = ["system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica Neue", "Arial", "sans-serif"],
            },
        },
    };
}
