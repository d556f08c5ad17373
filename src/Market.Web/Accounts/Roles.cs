namespace Market.Web.Accounts;

public static class Roles
{
    public const string Prosumer = "Prosumer";
    public const string Manager = "Manager";
    public const string Operator = "Operator";

    /// <summary>A meter gateway or the network operator: may only upload meter readings.</summary>
    public const string MeterGateway = "MeterGateway";

    public static readonly string[] All = [Prosumer, Manager, Operator, MeterGateway];
}
