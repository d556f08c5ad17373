namespace Market.Web.Accounts;

public static class Roles
{
    public const string Prosumer = "Prosumer";
    public const string Manager = "Manager";
    public const string Operator = "Operator";

    public static readonly string[] All = [Prosumer, Manager, Operator];
}
