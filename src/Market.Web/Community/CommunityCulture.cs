using Microsoft.AspNetCore.Localization;
using Microsoft.Extensions.Options;

namespace Market.Web.Community;

/// <summary>
/// The culture each request, and each page's circuit, runs in: the one the browser asks for (Accept-Language) when the
/// app offers it, otherwise the community's (<see cref="CommunityOptions.Culture"/>). Numbers are shown and read in it
/// (<see cref="Units"/>), so "0,1" kWh is 100 Wh to a German household and refused, not read as 1, for an English one.
/// </summary>
public static class CommunityCulture
{
    /// <summary>
    /// The cultures a browser can ask for: "en-US" or "en-GB" fall back to "en"; a German-speaking browser gets its own
    /// (German, Austrian or Swiss number format), since a "de" or "de-AT" falling back to the community's English
    /// would read a typed "0,1" as an error.
    /// </summary>
    public static IReadOnlyList<string> Supported { get; } = ["en", "de-DE", "de", "de-AT", "de-CH"];

    /// <summary>Request localization with <see cref="Supported"/> and the community's culture as the default.</summary>
    public static WebApplicationBuilder AddMarketCulture(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<RequestLocalizationOptions>().Configure<IOptions<CommunityOptions>>((localization, community) =>
        {
            string[] supported = [.. Supported];
            localization.AddSupportedCultures(supported).AddSupportedUICultures(supported);
            localization.DefaultRequestCulture = new RequestCulture(community.Value.Culture);
        });
        return builder;
    }

    /// <summary>Sets the culture of every request; the pages' circuits keep the culture of the request that opened them.</summary>
    public static WebApplication UseMarketCulture(this WebApplication app)
    {
        app.UseRequestLocalization();
        return app;
    }
}
