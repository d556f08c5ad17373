using System.Text.Json;
using Microsoft.Playwright;

namespace Market.E2E.Verifier;

/// <summary>
/// Runs many calls of <c>window.marketVerifier</c> in one round trip and compares each answer with what the C# side
/// expects. A check names the API function, its arguments (hex strings, numbers, u64 as decimal strings) and the
/// expected answer (true/false, or a hex string / null).
/// </summary>
internal sealed class BrowserChecks
{
    // verifyDer composes the API as the Wycheproof cases need it: strict DER, SHA-256 of the message, verify.
    private const string Script = """
        async (calls) => {
            const api = window.marketVerifier;
            const extra = {
                verifyDer: (pub, msg, der, windowBits) => {
                    const rs = api.decodeDer(der);
                    if (rs === null) return false;
                    const digest = api.sha256(msg);
                    return windowBits ? api.verifySignatureWithTable(pub, digest, rs, windowBits) : api.verifySignature(pub, digest, rs);
                },
            };
            return calls.map(c => (extra[c.fn] ?? api[c.fn])(...c.args));
        }
        """;

    private readonly List<(string Name, string Fn, object?[] Args, object? Expected)> _checks = [];

    public int Count => _checks.Count;

    public void Add(string name, string fn, object? expected, params object?[] args) => _checks.Add((name, fn, args, expected));

    /// <summary>Runs every check; returns the names of those whose answer differs from the expectation.</summary>
    public async Task<List<string>> MismatchesAsync(IPage page)
    {
        var mismatches = new List<string>();
        const int batch = 500;
        for (var start = 0; start < _checks.Count; start += batch)
        {
            var slice = _checks.Skip(start).Take(batch).ToList();
            var answers = await page.EvaluateAsync<JsonElement>(Script, slice.Select(c => new { fn = c.Fn, args = c.Args }).ToArray());
            for (var i = 0; i < slice.Count; i++)
            {
                var answer = answers[i];
                var expected = slice[i].Expected;
                var same = expected switch
                {
                    bool b => answer.ValueKind == (b ? JsonValueKind.True : JsonValueKind.False),
                    null => answer.ValueKind == JsonValueKind.Null,
                    string s => answer.ValueKind == JsonValueKind.String && string.Equals(answer.GetString(), s, StringComparison.OrdinalIgnoreCase),
                    _ => throw new InvalidOperationException($"unsupported expectation {expected}"),
                };
                if (!same)
                {
                    mismatches.Add($"{slice[i].Name}: expected {expected ?? "null"}, got {answer}");
                }
            }
        }

        return mismatches;
    }

    /// <summary>Opens the verify page and waits until the bundle has loaded.</summary>
    public static async Task<IPage> OpenVerifierAsync(BrowserFixture fixture)
    {
        var page = await fixture.NewPageAsync();
        await BrowserFixture.GotoLiveAsync(page, "ledger/verify");
        await page.WaitForFunctionAsync("() => window.marketVerifier !== undefined");
        return page;
    }
}
