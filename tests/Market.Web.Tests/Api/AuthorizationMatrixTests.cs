using System.Net;
using System.Net.Http.Json;
using Market.Web.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Market.Web.Tests.Api;

/// <summary>One app for the whole matrix: the cases only read, or act on anna's one order, whose outcome for
/// every other caller does not depend on whether she has cancelled it yet.</summary>
public sealed class MatrixFixture : IAsyncLifetime
{
    public MarketFactory App { get; } = new();

    public long AnnasOrder { get; private set; }

    public long Interval { get; private set; }

    public async Task InitializeAsync()
    {
        _ = App.Server;
        // A meter gateway with no meter assigned, and a network operator.
        await App.CreateGatewayAsync("gateway@grid.example");
        await App.CreateNetworkOperatorAsync("dso@grid.example");
        // The network operator also signs in with a browser (its page of envelopes).
        using (var scope = App.Services.CreateScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<MarketUser>>();
            (await users.AddPasswordAsync((await users.FindByEmailAsync("dso@grid.example"))!, CookieSignIn.DemoPassword)).Succeeded.ShouldBeTrue();
        }

        Interval = App.Get<MarketClock>().FirstOpenInterval();
        var anna = await App.HouseholdAsync("anna@demo.energy");
        AnnasOrder = (await App.PlaceSignedAsync(anna, new PlaceOrder(OrderSide.Sell, 1000, 1200, Interval))).Order!.Id;
    }

    public Task DisposeAsync() => App.DisposeAsync().AsTask();
}

/// <summary>Every API endpoint and every page, for each kind of caller, gets the answer it should.</summary>
[Trait("Database", "Independent")]
public sealed class AuthorizationMatrixTests(MatrixFixture fixture) : IClassFixture<MatrixFixture>
{
    private readonly MarketFactory _app = fixture.App;
    private readonly long _annasOrder = fixture.AnnasOrder;
    private readonly long _interval = fixture.Interval;

    public static TheoryData<string, string, string, int> ApiCases()
    {
        var data = new TheoryData<string, string, string, int>();
        // caller: anonymous | owner (anna) | other (ben, another household) | manager | operator | auditor, with a
        // token; a "-cookie" caller is the same person signed in with a browser instead
        foreach (var (method, path) in new[] { ("GET", "/api/orders"), ("GET", "/api/trades") })
        {
            data.Add("anonymous", method, path, 401);
            data.Add("owner", method, path, 200);
            data.Add("other", method, path, 200);
            data.Add("manager", method, path, 403);
            data.Add("operator", method, path, 403);
        }

        data.Add("anonymous", "DELETE", "/api/orders/{own}", 401);
        data.Add("owner", "DELETE", "/api/orders/{own}", 422); // let in; a cancellation must be the household's signed statement
        data.Add("other", "DELETE", "/api/orders/{own}", 404);
        data.Add("manager", "DELETE", "/api/orders/{own}", 403);
        data.Add("operator", "DELETE", "/api/orders/{own}", 403);
        data.Add("anonymous", "POST", "/api/orders/batch", 401);
        data.Add("owner", "POST", "/api/orders/batch", 200);
        data.Add("other", "POST", "/api/orders/batch", 200);
        data.Add("manager", "POST", "/api/orders/batch", 403);
        data.Add("operator", "POST", "/api/orders/batch", 403);
        data.Add("anonymous", "POST", "/api/orders", 401);
        data.Add("owner", "POST", "/api/orders", 201);
        data.Add("other", "POST", "/api/orders", 201);
        data.Add("manager", "POST", "/api/orders", 403);
        data.Add("operator", "POST", "/api/orders", 403);
        // Metrics are for the operators' scraper.
        data.Add("anonymous", "GET", "/metrics", 401);
        data.Add("owner", "GET", "/metrics", 403);
        data.Add("other", "GET", "/metrics", 403);
        data.Add("manager", "GET", "/metrics", 403);
        data.Add("operator", "GET", "/metrics", 200);
        // Meter readings come from operators and meter gateways, never from a household.
        data.Add("anonymous", "POST", "/api/meter-readings", 401);
        data.Add("owner", "POST", "/api/meter-readings", 403);
        data.Add("other", "POST", "/api/meter-readings", 403);
        data.Add("manager", "POST", "/api/meter-readings", 403);
        data.Add("operator", "POST", "/api/meter-readings", 422); // let in; a file without readings is refused
        data.Add("gateway", "POST", "/api/meter-readings", 422); // let in; its file names anna's meter, not assigned to it
        // Gateways' meters and waiting corrections are the operators' (docs/adr/0021); {own} is no correction.
        foreach (var (method, path) in new[]
        {
            ("GET", "/api/meter-gateways"), ("PUT", "/api/meter-gateways/gateway@grid.example/meters"), ("GET", "/api/meter-corrections"),
            ("POST", "/api/meter-corrections/{own}/confirm"), ("POST", "/api/meter-corrections/{own}/reject"),
        })
        {
            data.Add("anonymous", method, path, 401);
            data.Add("owner", method, path, 403);
            data.Add("manager", method, path, 403);
            data.Add("auditor", method, path, 403);
            data.Add("gateway", method, path, 403);
            data.Add("operator", method, path, path.Contains("{own}", StringComparison.Ordinal) ? 404 : 200);
        }

        // The network is the operators' to import; the network operator (dso) sends envelopes; managers read. There is
        // no network in the matrix's market: reading it is 404, sending envelopes 409, importing an empty one 422.
        foreach (var caller in new[] { "owner", "other", "manager", "auditor", "gateway", "dso" })
        {
            data.Add(caller, "PUT", "/api/grid/network", 403);
        }

        data.Add("anonymous", "PUT", "/api/grid/network", 401);
        data.Add("operator", "PUT", "/api/grid/network", 422);
        data.Add("operator-cookie", "PUT", "/api/grid/network", 401);
        foreach (var (caller, status) in new[] { ("anonymous", 401), ("owner", 403), ("other", 403), ("auditor", 403), ("gateway", 403), ("manager", 404), ("operator", 404), ("dso", 404) })
        {
            data.Add(caller, "GET", "/api/grid/network", status);
        }

        foreach (var path in new[] { "/api/grid/envelopes", "/api/grid/envelopes/C1" })
        {
            foreach (var (caller, status) in new[] { ("anonymous", 401), ("owner", 403), ("other", 403), ("manager", 403), ("auditor", 403), ("gateway", 403), ("operator", 409), ("dso", 409), ("operator-cookie", 401) })
            {
                data.Add(caller, "POST", path, status);
            }
        }

        foreach (var (caller, status) in new[] { ("anonymous", 401), ("owner", 403), ("other", 403), ("auditor", 403), ("gateway", 403), ("manager", 200), ("operator", 200), ("dso", 200) })
        {
            data.Add(caller, "GET", "/api/grid/envelopes?from=2026-06-15T00:00:00Z&to=2026-06-16T00:00:00Z", status);
        }

        // The envelopes as applied: the network operator's, the operators' and the manager's; tokens only.
        foreach (var (caller, status) in new[] { ("anonymous", 401), ("owner", 403), ("other", 403), ("auditor", 403), ("gateway", 403), ("manager", 200), ("operator", 200), ("dso", 200), ("dso-cookie", 401) })
        {
            data.Add(caller, "GET", "/api/grid/applied?from=2026-06-15&to=2026-06-16", status);
        }

        // The community's residual for aggregators is read from the public ledger: anyone, with a token or without.
        foreach (var caller in new[] { "anonymous", "owner", "other", "manager", "operator", "auditor", "gateway", "dso", "owner-cookie" })
        {
            data.Add(caller, "GET", "/api/community/residual?from=2026-06-15&to=2026-06-16", 200);
        }

        // Signing out takes the form's antiforgery token: without one a signed-in browser stays signed in; without a
        // session there is nothing to end and it ends on the home page.
        data.Add("anonymous", "POST", "/account/logout", 200);
        data.Add("owner-cookie", "POST", "/account/logout", 400);
        // A signed-in browser's cookie reaches no API endpoint and not the metrics: they take tokens only (ADR 8, 17).
        foreach (var (method, path) in new[] { ("GET", "/api/orders"), ("POST", "/api/orders"), ("DELETE", "/api/orders/{own}"), ("GET", "/api/trades") })
        {
            data.Add("owner-cookie", method, path, 401);
        }

        data.Add("operator-cookie", "GET", "/metrics", 401);
        data.Add("operator-cookie", "POST", "/api/meter-readings", 401);
        data.Add("operator-cookie", "POST", "/api/ledger/key-rotations", 401);
        // Only an operator rotates the signing key.
        data.Add("anonymous", "POST", "/api/ledger/key-rotations", 401);
        data.Add("owner", "POST", "/api/ledger/key-rotations", 403);
        data.Add("other", "POST", "/api/ledger/key-rotations", 403);
        data.Add("manager", "POST", "/api/ledger/key-rotations", 403);
        data.Add("operator", "POST", "/api/ledger/key-rotations", 200);
        foreach (var caller in new[] { "owner", "other", "manager" })
        {
            data.Add(caller, "GET", "/api/operator/backup", 403);
        }

        data.Add("anonymous", "GET", "/api/operator/backup", 401);
        data.Add("operator", "GET", "/api/operator/backup", TestDatabase.Provider == MarketDatabase.PostgreSql ? 409 : 200); // PostgreSQL: pg_dump
        // Openings of reconciliation commitments reveal meter values: a household's token gets its own, auditors and
        // operators every household's (docs/adr/0020).
        data.Add("anonymous", "GET", "/api/reconciliation-openings", 401);
        data.Add("owner", "GET", "/api/reconciliation-openings", 200);
        data.Add("other", "GET", "/api/reconciliation-openings", 200);
        data.Add("manager", "GET", "/api/reconciliation-openings", 403);
        data.Add("operator", "GET", "/api/reconciliation-openings", 403);
        data.Add("auditor", "GET", "/api/reconciliation-openings", 403);
        data.Add("anonymous", "GET", "/api/audit/reconciliation-openings", 401);
        data.Add("owner", "GET", "/api/audit/reconciliation-openings", 403);
        data.Add("other", "GET", "/api/audit/reconciliation-openings", 403);
        data.Add("manager", "GET", "/api/audit/reconciliation-openings", 403);
        data.Add("operator", "GET", "/api/audit/reconciliation-openings", 200);
        data.Add("auditor", "GET", "/api/audit/reconciliation-openings", 200);
        // A household's notifications and its devices' push subscriptions: its own token only (docs/adr/0025).
        data.Add("anonymous", "GET", "/api/notifications", 401);
        data.Add("owner", "GET", "/api/notifications", 200);
        data.Add("other", "GET", "/api/notifications", 200);
        data.Add("manager", "GET", "/api/notifications", 403);
        data.Add("operator", "GET", "/api/notifications", 403);
        data.Add("auditor", "GET", "/api/notifications", 403);
        data.Add("owner-cookie", "GET", "/api/notifications", 401);
        data.Add("anonymous", "POST", "/api/notifications/push-subscriptions", 401);
        data.Add("owner", "POST", "/api/notifications/push-subscriptions", 400); // let in; no subscription in the body
        data.Add("manager", "POST", "/api/notifications/push-subscriptions", 403);
        data.Add("operator", "POST", "/api/notifications/push-subscriptions", 403);
        data.Add("owner-cookie", "POST", "/api/notifications/push-subscriptions", 401);
        data.Add("anonymous", "DELETE", "/api/notifications/push-subscriptions?endpoint=https://fcm.googleapis.com/fcm/send/x", 401);
        data.Add("owner", "DELETE", "/api/notifications/push-subscriptions?endpoint=https://fcm.googleapis.com/fcm/send/x", 404);
        data.Add("manager", "DELETE", "/api/notifications/push-subscriptions?endpoint=https://fcm.googleapis.com/fcm/send/x", 403);
        // A household's keys and signed statements: its own token only.
        data.Add("anonymous", "GET", "/api/household/keys", 401);
        data.Add("owner", "GET", "/api/household/keys", 200);
        data.Add("other", "GET", "/api/household/keys", 200);
        data.Add("manager", "GET", "/api/household/keys", 403);
        data.Add("operator", "GET", "/api/household/keys", 403);
        data.Add("auditor", "GET", "/api/household/keys", 403);
        data.Add("owner-cookie", "GET", "/api/household/keys", 401);
        data.Add("anonymous", "POST", "/api/household/statements", 401);
        data.Add("owner", "POST", "/api/household/statements", 422); // let in; an empty submission is refused
        data.Add("other", "POST", "/api/household/statements", 422);
        data.Add("manager", "POST", "/api/household/statements", 403);
        data.Add("operator", "POST", "/api/household/statements", 403);
        data.Add("auditor", "POST", "/api/household/statements", 403);
        data.Add("owner-cookie", "POST", "/api/household/statements", 401);
        data.Add("auditor", "GET", "/api/orders", 403);
        data.Add("auditor", "GET", "/metrics", 403);
        data.Add("auditor", "POST", "/api/meter-readings", 403);
        // Demo mode only (it publishes its passwords anyway): load-test households for `market load`. Outside demo
        // mode it is not mapped at all (DemoModeTests, PublishedBuildTests).
        data.Add("anonymous", "POST", "/api/demo/load-households?count=1", 200);
        // An interval's sealed book (what a household checks its receipts against) is public; this one is not sealed.
        foreach (var caller in new[] { "anonymous", "owner", "manager" })
        {
            data.Add(caller, "GET", "/api/ledger/books/0", 404);
        }

        // Proofs are public; this trade does not exist.
        foreach (var caller in new[] { "anonymous", "owner", "other", "manager", "operator" })
        {
            data.Add(caller, "GET", "/api/ledger/trades/999999/proof", 404);
        }

        foreach (var path in new[] { "/api/market/intervals", "/api/ledger/blocks", "/api/ledger/blocks/0", "/api/ledger/checkpoint", "/api/ledger/export", "/api/ledger/consistency?from=1&to=2", "/api/ledger/checkpoint.note", "/api/ledger/checkpoint.note?witnessed=true", "/api/ledger/witness-policy", "/api/ledger/witnesses", "/health/ready", "/health/live", "/openapi/v1.json" })
        {
            foreach (var caller in new[] { "anonymous", "owner", "other", "manager", "operator" })
            {
                data.Add(caller, "GET", path, 200);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ApiCases))]
    public async Task Api_CallerAndEndpoint_ExpectedStatus(string caller, string method, string path, int expected)
    {
        using var client = await ClientAsync(caller);
        var request = new HttpRequestMessage(new HttpMethod(method), new Uri(path.Replace("{own}", _annasOrder.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal), UriKind.Relative));
        if (method == "POST" && path == "/api/orders")
        {
            request.Content = JsonContent.Create(await SignedOrders.SignBodyAsync(client, ApiClient.Order("sell", 500, 1200, _interval)));
        }
        else if (method == "POST" && path == "/api/orders/batch")
        {
            request.Content = JsonContent.Create(await SignedOrders.SignBatchBodyAsync(client, [new PlaceOrder(OrderSide.Sell, 500, 1200, _interval)]));
        }
        else if (method == "POST" && path == "/api/household/statements")
        {
            request.Content = JsonContent.Create(new { statements = Array.Empty<object>() });
        }
        else if (method == "POST" && path == "/api/meter-readings")
        {
            // A file with the header only (nothing to store, nothing to refuse); a gateway's names anna's meter.
            var meter = (await _app.HouseholdAsync("anna@demo.energy")).MeterId;
            var line = caller == "gateway" ? $"{meter},2026-06-15T09:00:00Z,0,0\n" : "";
            request.Content = new StringContent(ReadingParser.Header + "\n" + line, System.Text.Encoding.UTF8, "text/csv");
        }
        else if (method == "PUT" && path == "/api/grid/network")
        {
            request.Content = JsonContent.Create(new { nodes = Array.Empty<object>() });
        }
        else if (method == "POST" && path == "/api/grid/envelopes")
        {
            request.Content = JsonContent.Create(new { envelopes = Array.Empty<object>() });
        }
        else if (method == "POST" && path.StartsWith("/api/grid/envelopes/", StringComparison.Ordinal))
        {
            request.Content = new StringContent("<DERControlList xmlns=\"urn:ieee:std:2030.5:ns\"/>", System.Text.Encoding.UTF8, "application/sep+xml");
        }
        else if (method == "PUT")
        {
            request.Content = JsonContent.Create(new { meterIds = Array.Empty<string>() });
        }
        else if (path.EndsWith("/reject", StringComparison.Ordinal))
        {
            request.Content = JsonContent.Create(new { reason = "test" });
        }

        var response = await client.SendAsync(request);

        ((int)response.StatusCode).ShouldBe(expected, $"{caller} {method} {path}");
    }

    public static TheoryData<string, string, string> PageCases()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var page in new[] { "/community", "/forecast", "/ledger", "/ledger/blocks/0", "/ledger/verify", "/account/login", "/account/register", "/dashboard", "/dashboard/series.csv", "/rules", "/api/docs/" })
        {
            data.Add("anonymous", page, "ok");
            data.Add("owner", page, "ok");
            data.Add("manager", page, "ok");
        }

        // "/" is each one's start: the overview for visitors, My Home for a household, the manager's dashboard, the
        // operator's overview.
        data.Add("anonymous", "/", "ok");
        data.Add("owner", "/", "ok");
        data.Add("auditor", "/", "ok");
        data.Add("manager", "/", "→/dashboard");
        data.Add("operator", "/", "→/operator");
        data.Add("anonymous", "/operator", "login");
        data.Add("owner", "/operator", "denied");
        data.Add("manager", "/operator", "denied");
        data.Add("operator", "/operator", "ok");
        foreach (var page in new[] { "/market", "/statement", "/sell", "/sell?side=buy", "/notifications", "/autopilot" })
        {
            data.Add("anonymous", page, "login");
            data.Add("owner", page, "ok");
            data.Add("manager", page, "denied");
            data.Add("operator", page, "denied");
        }

        // Public pages: a trade's page (this one does not exist), the access-denied, error and not-found pages, and
        // the e-mail confirmation link's landing page.
        foreach (var page in new[] { "/ledger/trades/999999", "/account/denied", "/error", "/not-found", "/account/confirm" })
        {
            data.Add("anonymous", page, "ok");
            data.Add("owner", page, "ok");
        }

        data.Add("anonymous", "/account", "login");
        data.Add("owner", "/account", "ok");
        data.Add("manager", "/account", "ok");
        data.Add("anonymous", "/account/password", "login");
        data.Add("owner", "/account/password", "ok");
        data.Add("anonymous", "/statement/2026/6.csv", "login");
        data.Add("owner", "/statement/2026/6.csv", "ok");
        data.Add("manager", "/statement/2026/6.csv", "denied");
        data.Add("anonymous", "/statement/2026/6/openings.jsonl", "login");
        data.Add("owner", "/statement/2026/6/openings.jsonl", "ok");
        data.Add("manager", "/statement/2026/6/openings.jsonl", "denied");
        data.Add("auditor", "/statement/2026/6/openings.jsonl", "denied");
        // The PDF statement: the signed-in household's own month only (no household in the path).
        data.Add("anonymous", "/statement/2026/6.pdf", "login");
        data.Add("owner", "/statement/2026/6.pdf", "ok");
        data.Add("other", "/statement/2026/6.pdf", "ok");
        data.Add("manager", "/statement/2026/6.pdf", "denied");
        data.Add("operator", "/statement/2026/6.pdf", "denied");
        data.Add("auditor", "/statement/2026/6.pdf", "denied");
        data.Add("owner-token", "/statement/2026/6.pdf", "login");
        // A trade's printable receipt is public like its page (pseudonyms only); this trade does not exist.
        data.Add("anonymous", "/ledger/trades/999999/receipt.pdf", "404");
        data.Add("owner", "/ledger/trades/999999/receipt.pdf", "404");
        // The utility view and the grid's congestion are for the community's manager and operators, not for households.
        foreach (var page in new[] { "/utility", "/utility/intervals.csv", "/utility/intervals.csv?from=2026-06-01&to=2026-06-08", "/congestion" })
        {
            data.Add("anonymous", page, "login");
            data.Add("owner", page, "denied");
            data.Add("manager", page, "ok");
            data.Add("operator", page, "ok");
        }

        // The dashboard's 30-day trends name no household but are the manager's and the operators' (docs/adr/0028).
        data.Add("anonymous", "/dashboard/trends.csv", "login");
        data.Add("owner", "/dashboard/trends.csv", "denied");
        data.Add("auditor", "/dashboard/trends.csv", "denied");
        data.Add("manager", "/dashboard/trends.csv", "ok");
        data.Add("operator", "/dashboard/trends.csv", "ok");
        data.Add("operator-token", "/dashboard/trends.csv", "login");

        // Meter readings and the signing key are the operators' (households and the manager see their results).
        foreach (var page in new[] { "/operator/readings", "/operator/readings/missing.csv", "/operator/signing-key", "/operator/corrections", "/operator/gateways" })
        {
            data.Add("anonymous", page, "login");
            data.Add("owner", page, "denied");
            data.Add("manager", page, "denied");
            data.Add("operator", page, "ok");
        }

        // The envelopes page and its download: the network operator's, the operators' and the manager's.
        foreach (var page in new[] { "/grid/envelopes", "/grid/envelopes/applied.csv?from=2026-06-15&to=2026-06-16" })
        {
            data.Add("anonymous", page, "login");
            data.Add("owner", page, "denied");
            data.Add("auditor", page, "denied");
            data.Add("manager", page, "ok");
            data.Add("operator", page, "ok");
            data.Add("dso", page, "ok");
            data.Add("dso-token", page, "login");
        }

        // A token opens no page, download or form: pages know only the signed-in cookie (ADR 17). The token's owner is
        // treated as anyone who is not signed in.
        foreach (var page in new[] { "/market", "/statement", "/account", "/account/password", "/statement/2026/6.csv", "/notifications", "/autopilot" })
        {
            data.Add("owner-token", page, "login");
        }

        foreach (var page in new[] { "/utility", "/utility/intervals.csv", "/operator/readings", "/operator/readings/missing.csv", "/operator/signing-key" })
        {
            data.Add("operator-token", page, "login");
        }

        data.Add("auditor", "/congestion", "denied");
        data.Add("operator-token", "/congestion", "login");
        data.Add("operator-token", "/hangfire", "denied");
        data.Add("owner-token", "/", "ok");
        data.Add("anonymous", "/hangfire", "denied");
        data.Add("owner", "/hangfire", "denied");
        data.Add("manager", "/hangfire", "denied");
        data.Add("operator", "/hangfire", "ok");
        return data;
    }

    [Theory]
    [MemberData(nameof(PageCases))]
    public async Task Page_CallerAndPage_ExpectedOutcome(string caller, string page, string expected)
    {
        using var client = await CookieClientAsync(caller);

        var response = await client.GetAsync(new Uri(page, UriKind.Relative));

        var outcome = response.StatusCode switch
        {
            HttpStatusCode.OK => "ok",
            HttpStatusCode.Redirect or HttpStatusCode.Found when response.Headers.Location!.ToString().Contains("/account/login", StringComparison.Ordinal) => "login",
            HttpStatusCode.Redirect or HttpStatusCode.Found when response.Headers.Location!.ToString().Contains("/account/denied", StringComparison.Ordinal) => "denied",
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => "denied",
            HttpStatusCode.Redirect or HttpStatusCode.Found => "→" + new Uri(new Uri("http://market.example/"), response.Headers.Location!).AbsolutePath,
            _ => ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        outcome.ShouldBe(expected, $"{caller} {page}");
    }

    /// <summary>
    /// Every endpoint the app maps (API, pages, downloads) is in one of the matrices above, so a new page or endpoint
    /// cannot go without its authorization checked. Left out: static files, Blazor's own plumbing and the API
    /// reference's script files.
    /// </summary>
    [Fact]
    public void Matrix_EveryMappedEndpoint_Covered()
    {
        var covered = ApiCases().Select(c => ((string)c[1], (string)c[2]))
            .Concat(PageCases().Select(c => ("GET", (string)c[1])))
            .Select(c => (c.Item1, Path: c.Item2.Split('?')[0].TrimEnd('/')))
            .Distinct()
            .ToList();
        string[] plumbing = ["_blazor", "_framework", "_content", "api/docs/scalar", "api/docs/favicon"];
        var endpoints = _app.Services.GetRequiredService<Microsoft.AspNetCore.Routing.EndpointDataSource>().Endpoints
            .OfType<Microsoft.AspNetCore.Routing.RouteEndpoint>()
            .Where(e => e.Metadata.All(m => !m.GetType().Name.Contains("StaticAsset", StringComparison.Ordinal)))
            // A page also accepts POST for its forms, under the same authorization as its GET.
            .Select(e => (Methods: e.Metadata.GetMetadata<Microsoft.AspNetCore.Components.Endpoints.ComponentTypeMetadata>() is not null ? ["GET"]
                    : e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? ["GET"],
                Pattern: "/" + (e.RoutePattern.RawText ?? "").TrimStart('/')))
            .Where(e => !plumbing.Any(p => e.Pattern.TrimStart('/').StartsWith(p, StringComparison.OrdinalIgnoreCase)))
            .ToList();

        var missing = new List<string>();
        foreach (var (methods, pattern) in endpoints)
        {
            // "/ledger/blocks/{height:long}" matches "/ledger/blocks/0"; "{own}" in the API cases stands for an id.
            // A catch-all or optional parameter may also be absent ("/hangfire/{**path}" covers "/hangfire").
            var escaped = System.Text.RegularExpressions.Regex.Escape(pattern.TrimEnd('/'));
            escaped = System.Text.RegularExpressions.Regex.Replace(escaped, @"/\\\{(\\\*[^}]*|[^}]*\?)}", "(/[^/]+)*");
            escaped = System.Text.RegularExpressions.Regex.Replace(escaped, @"\\\{[^}]*}", "[^/]+");
            var regex = new System.Text.RegularExpressions.Regex("^" + escaped + "$", System.Text.RegularExpressions.RegexOptions.IgnoreCase);
            foreach (var method in methods.Where(m => m is not "HEAD" and not "OPTIONS"))
            {
                if (!covered.Any(c => string.Equals(c.Item1, method, StringComparison.OrdinalIgnoreCase) && regex.IsMatch(c.Path.Length == 0 ? "" : c.Path)))
                {
                    missing.Add($"{method} {pattern}");
                }
            }
        }

        endpoints.Count.ShouldBeGreaterThan(20);
        missing.ShouldBeEmpty(string.Join("; ", missing));
    }

    private static string Email(string caller) => caller switch
    {
        "owner" => "anna@demo.energy",
        "other" => "ben@demo.energy",
        "manager" => "manager@demo.energy",
        "operator" => "operator@demo.energy",
        "auditor" => "auditor@demo.energy",
        "gateway" => "gateway@grid.example",
        "dso" => "dso@grid.example",
        _ => throw new ArgumentOutOfRangeException(nameof(caller)),
    };

    // "owner" (no suffix) calls the API with a token; "owner-cookie" with a signed-in browser's cookie.
    private async Task<HttpClient> ClientAsync(string caller) =>
        caller == "anonymous" ? _app.CreateClient()
        : caller.EndsWith("-cookie", StringComparison.Ordinal) ? await CookieClientAsync(caller[..^"-cookie".Length])
        : await ApiClient.ForAsync(_app, Email(caller));

    // "owner" (no suffix) opens pages signed in with the cookie; "owner-token" sends only a token.
    private async Task<HttpClient> CookieClientAsync(string caller)
    {
        var client = _app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        if (caller.EndsWith("-token", StringComparison.Ordinal))
        {
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", await ApiClient.TokenAsync(_app, Email(caller[..^"-token".Length])));
        }
        else if (caller != "anonymous")
        {
            await CookieSignIn.SignInAsync(client, Email(caller));
        }

        return client;
    }
}
