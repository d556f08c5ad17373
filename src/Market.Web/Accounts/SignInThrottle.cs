using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Market.Web.Accounts;

/// <summary>
/// Slows password guessing without locking anyone out: after <see cref="FailuresAllowed"/> failed sign-ins for one
/// account from one client address, that address may not try that account again until <see cref="Window"/> after
/// its first failure. The household signing in from its own address is not affected, and nothing here touches
/// its API tokens (ADR 17). Unknown e-mail addresses are counted the same way, so the answer tells nothing about
/// whether an account exists. IPv6 addresses count by their /64 network, which one client can fill at will.
/// </summary>
/// <remarks>
/// Kept in memory on each node: a restart forgets it, and behind several nodes an address gets the allowance on
/// each. The per-address sign-in rate limit (<c>RateLimits:SignInPerMinute</c>) bounds the rest.
/// </remarks>
public sealed class SignInThrottle(TimeProvider time)
{
    public const int FailuresAllowed = 5;

    public static readonly TimeSpan Window = TimeSpan.FromMinutes(15);

    // A flood of distinct e-mail addresses must not grow memory without bound; past this, expired entries go.
    private const int MaxEntries = 100_000;

    private readonly ConcurrentDictionary<string, Entry> _failures = new(StringComparer.Ordinal);

    /// <summary>The key of one account (by e-mail, case-insensitively) tried from one client address.</summary>
    public static string Key(string email, IPAddress? client) => email.Trim().ToUpperInvariant() + "|" + Network(client);

    /// <summary>How long until <paramref name="key"/> may try again, or null when it may try now.</summary>
    public TimeSpan? RetryAfter(string key)
    {
        var now = time.GetUtcNow();
        if (!_failures.TryGetValue(key, out var entry))
        {
            return null;
        }

        var until = entry.FirstFailure + Window;
        if (until <= now)
        {
            _failures.TryRemove(KeyValuePair.Create(key, entry));
            return null;
        }

        return entry.Failures >= FailuresAllowed ? until - now : null;
    }

    public void Failed(string key)
    {
        var now = time.GetUtcNow();
        if (_failures.Count >= MaxEntries)
        {
            Prune(now);
        }

        _failures.AddOrUpdate(
            key,
            _ => new Entry(1, now),
            (_, e) => e.FirstFailure + Window <= now ? new Entry(1, now) : e with { Failures = e.Failures + 1 });
    }

    /// <summary>A correct password from this address: its count starts again.</summary>
    public void Succeeded(string key) => _failures.TryRemove(key, out _);

    private void Prune(DateTimeOffset now)
    {
        foreach (var (key, entry) in _failures)
        {
            if (entry.FirstFailure + Window <= now)
            {
                _failures.TryRemove(KeyValuePair.Create(key, entry));
            }
        }
    }

    private static string Network(IPAddress? address)
    {
        if (address is null)
        {
            return "-";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }

        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }

    private sealed record Entry(int Failures, DateTimeOffset FirstFailure);
}
