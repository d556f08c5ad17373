using HangfireLog = Hangfire.Logging;

namespace Market.Web.Jobs;

/// <summary>
/// Hangfire's log provider is one static for the whole process. When several app instances share a process (the
/// integration tests host many), one may log through another's logger factory after that one is disposed. This
/// provider logs to the app that configured it and quietly drops messages once that app's logging is gone,
/// instead of failing the job or the start-up that happened to log.
/// </summary>
internal sealed class ResilientHangfireLogProvider(ILoggerFactory factory) : HangfireLog.ILogProvider
{
    public HangfireLog.ILog GetLogger(string name) => new SafeLog(factory, name);

    private sealed class SafeLog(ILoggerFactory factory, string name) : HangfireLog.ILog
    {
        private ILogger? _logger;

        public bool Log(HangfireLog.LogLevel logLevel, Func<string>? messageFunc, Exception? exception = null)
        {
            try
            {
                _logger ??= factory.CreateLogger(name);
                var level = logLevel switch
                {
                    HangfireLog.LogLevel.Trace => LogLevel.Trace,
                    HangfireLog.LogLevel.Debug => LogLevel.Debug,
                    HangfireLog.LogLevel.Info => LogLevel.Information,
                    HangfireLog.LogLevel.Warn => LogLevel.Warning,
                    HangfireLog.LogLevel.Error => LogLevel.Error,
                    _ => LogLevel.Critical,
                };
                if (messageFunc is null)
                {
                    return _logger.IsEnabled(level);
                }

                if (!_logger.IsEnabled(level))
                {
                    return false;
                }

                // Hangfire hands over finished messages, not templates.
                _logger.Log(level, default, messageFunc(), exception, static (message, _) => message);
                return true;
            }
            catch (ObjectDisposedException)
            {
                return false;
            }
        }
    }
}
