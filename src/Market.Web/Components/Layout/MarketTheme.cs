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
            Success = "#1f8a4c",
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
