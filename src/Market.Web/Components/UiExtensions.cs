using MudBlazor;
using MudBlazor.Services;

namespace Market.Web.Components;

public static class UiExtensions
{
    public static WebApplicationBuilder AddMarketUi(this WebApplicationBuilder builder)
    {
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        // Notices appear at the bottom, clear of the app bar and each page's title (top right covered both on phones).
        builder.Services.AddMudServices(o => o.SnackbarConfiguration.PositionClass = Defaults.Classes.Position.BottomRight);
        builder.Services.AddProblemDetails();
        builder.Services.AddScoped<IDeviceKeyStore, BrowserDeviceKeyStore>();
        builder.Services.AddScoped<DeviceSigner>();
        return builder;
    }
}
