namespace Market.Web.Testing;

/// <summary>Crash-test settings, honoured only in the <c>Testing</c> environment. Bound from <c>Testing</c>.</summary>
public sealed class TestingOptions
{
    public const string Section = "Testing";

    /// <summary>The fault point to stop at (<see cref="FaultPoints"/>), or none.</summary>
    public string? FaultPoint { get; set; }

    /// <summary>Where the app's clock starts (ISO 8601), running at real speed from there; unset: the real time.</summary>
    public DateTimeOffset? ClockStart { get; set; }
}
