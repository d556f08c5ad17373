namespace Market.Web.Accounts;

public static class Roles
{
    public const string Prosumer = "Prosumer";
    public const string Manager = "Manager";
    public const string Operator = "Operator";

    /// <summary>A meter gateway or the network operator: may only upload meter readings.</summary>
    public const string MeterGateway = "MeterGateway";

    /// <summary>An authorised auditor: may read every household's reconciliation openings (its meter values and
    /// settlement) to check reconciliations in full; nothing else beyond what the public sees (docs/adr/0020).</summary>
    public const string Auditor = "Auditor";

    /// <summary>The network operator (the owner of the wires): sends dynamic operating envelopes and feeder capacities, and
    /// reads what was applied; nothing else (docs/adr/0037).</summary>
    public const string NetworkOperator = "NetworkOperator";

    public static readonly string[] All = [Prosumer, Manager, Operator, MeterGateway, Auditor, NetworkOperator];
}
