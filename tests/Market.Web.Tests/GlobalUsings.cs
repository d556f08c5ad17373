// The app's feature namespaces, as the app imports them (src/Market.Web/GlobalUsings.cs).
global using Market.Web.Accounts;
global using Market.Web.Clearing;
global using Market.Web.Community;
global using Market.Web.Demo;
global using Market.Web.Forecasting;
global using Market.Web.Hosting;
global using Market.Web.Jobs;
global using Market.Web.LedgerStore;
global using Market.Web.Metering;
global using Market.Web.Observability;
global using Market.Web.Persistence;
global using Market.Web.Trading;
global using Market.Web.Utility;
global using OrderSide = Market.Ledger.OrderSide;
