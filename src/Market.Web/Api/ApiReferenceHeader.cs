namespace Market.Web.Api;

/// <summary>
/// The bar above the API reference: the reference is the vendor's page, not one of ours, so this bar is its way back
/// to the app. It takes the app bar's colour and sets the height the reference leaves free above its own sticky parts.
/// </summary>
public static class ApiReferenceHeader
{
    /// <summary>The bar's height, which the reference reads as <c>--scalar-custom-header-height</c>.</summary>
    public const string Height = "48px";

    /// <summary>Goes into the page's head.</summary>
    public const string Style =
        "<style>" +
        ":root { --scalar-custom-header-height: " + Height + "; }" +
        ".market-header { position: sticky; top: 0; z-index: 1000; height: " + Height + "; box-sizing: border-box;" +
        " display: flex; align-items: center; gap: 16px; padding: 0 16px; background: #0f6e5f; color: #fff;" +
        " font: 500 16px/1.2 system-ui, sans-serif; }" +
        ".market-header a { color: #fff; text-decoration: underline; text-underline-offset: 3px; }" +
        ".market-header a:focus-visible { outline: 3px solid #fff; outline-offset: 3px; border-radius: 2px; }" +
        "</style>";

    /// <summary>Goes before the reference, in the body.</summary>
    public const string Markup =
        "<header class=\"market-header\" data-testid=\"api-docs-header\">" +
        "<a href=\"/\" data-testid=\"back-to-app\">&larr; Back to the market</a>" +
        "<span>Community energy market API</span>" +
        "</header>";
}
