using Microsoft.Extensions.Options;

namespace Market.Web.Testing;

/// <summary>
/// Places in the code where crash tests stop the process on purpose. Armed only in the <c>Testing</c> environment
/// with <c>Testing:FaultPoint</c> naming one point: when the code reaches it, the process logs
/// <c>FAULT POINT REACHED: name</c> and waits there forever, so the test can kill it (SIGKILL) at exactly that moment.
/// Everywhere else, and in every other environment, a fault point does nothing.
/// </summary>
public sealed partial class FaultPoints
{
    /// <summary>Inside the clearing transaction, after every row of the interval is written, before the commit.</summary>
    public const string ClearingBeforeCommit = "clearing-before-commit";

    /// <summary>In order intake, after orders are written, before their transaction commits.</summary>
    public const string IntakeBeforeCommit = "intake-before-commit";

    private readonly string? _armed;
    private readonly ILogger<FaultPoints> _logger;

    public FaultPoints(IOptions<TestingOptions> options, IHostEnvironment environment, ILogger<FaultPoints> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(environment);
        _logger = logger;
        _armed = environment.IsEnvironment("Testing") ? options.Value.FaultPoint : null;
    }

    /// <summary>True when a fault point is armed in this process.</summary>
    public bool IsArmed => _armed is { Length: > 0 };

    /// <summary>Never returns when <paramref name="name"/> is the armed point; otherwise returns at once.</summary>
    public async Task ReachedAsync(string name)
    {
        if (_armed is null || !string.Equals(_armed, name, StringComparison.Ordinal))
        {
            return;
        }

        LogReached(_logger, name);
        await Console.Out.WriteLineAsync("FAULT POINT REACHED: " + name);
        await Console.Out.FlushAsync();
        await Task.Delay(Timeout.Infinite, CancellationToken.None);
    }

    [LoggerMessage(Level = LogLevel.Critical, Message = "Fault point {Name} reached; waiting to be killed")]
    private static partial void LogReached(ILogger logger, string name);
}

/// <summary>
/// A clock for crash tests that run the app as a separate process: in the <c>Testing</c> environment,
/// <c>Testing:ClockStart</c> (ISO 8601) makes the app's time start there and run at real speed.
/// </summary>
public sealed class OffsetTimeProvider(DateTimeOffset start) : TimeProvider
{
    private readonly DateTimeOffset _origin = System.GetUtcNow();

    public override DateTimeOffset GetUtcNow() => start + (System.GetUtcNow() - _origin);
}

public static class TestingExtensions
{
    /// <summary>Registers the fault points, and in the Testing environment the configured test clock.</summary>
    public static WebApplicationBuilder AddMarketTesting(this WebApplicationBuilder builder)
    {
        builder.AddSettings<TestingOptions>(TestingOptions.Section);
        builder.Services.AddSingleton<FaultPoints>();
        builder.Services.AddSingleton<DishonestOperator>();
        if (builder.Environment.IsEnvironment("Testing")
            && builder.Configuration.ReadSettings<TestingOptions>(TestingOptions.Section).ClockStart is { } start)
        {
            builder.Services.AddSingleton<TimeProvider>(new OffsetTimeProvider(start));
        }

        return builder;
    }
}
