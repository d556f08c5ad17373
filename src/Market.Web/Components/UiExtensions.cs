using MudBlazor.Services;

namespace Market.Web.Components;

public static class UiExtensions
{
    public static WebApplicationBuilder AddMarketUi(this WebApplicationBuilder builder)
    {
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddMudServices();
        builder.Services.AddProblemDetails();
        return builder;
    }
}
