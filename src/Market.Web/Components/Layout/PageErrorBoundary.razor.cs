namespace Market.Web.Components.Layout;

public sealed partial class PageErrorBoundary
{
    [LoggerMessage(Level = LogLevel.Error, Message = "A page failed; it shows an error message instead")]
    private static partial void LogPageFailed(ILogger logger, Exception exception);
}
