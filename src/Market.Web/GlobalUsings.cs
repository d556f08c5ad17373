// The app's feature namespaces, imported once. Which folder may use which is not a matter of usings: the
// architecture test (tests/Market.Web.Tests/ArchitectureTests.cs) states the allowed dependencies and fails on a cycle.
global using Market.Web.Accounts;
global using Market.Web.Api;
global using Market.Web.Autopilot;
global using Market.Web.Clearing;
global using Market.Web.Community;
global using Market.Web.Dashboard;
global using Market.Web.Demo;
global using Market.Web.Forecasting;
global using Market.Web.Grid;
global using Market.Web.Hosting;
global using Market.Web.Jobs;
global using Market.Web.LedgerStore;
global using Market.Web.Metering;
global using Market.Web.Notifications;
global using Market.Web.MyHome;
global using Market.Web.Observability;
global using Market.Web.Persistence;
global using Market.Web.Testing;
global using Market.Web.Trading;
global using Market.Web.Utility;
global using Market.Web.Witnessing;
// The ledger's side of an order is the stored side too (Buy = 1, Sell = 2).
global using OrderSide = Market.Ledger.OrderSide;
