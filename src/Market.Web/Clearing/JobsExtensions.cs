using Hangfire;
using Hangfire.Dashboard;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Market.Web.Accounts;
using Market.Web.Persistence;

namespace Market.Web.Clearing;

public static class JobsExtensions
{
    public const string ClearingJobId = "clear-due-intervals";

    /// <summary>Hangfire (in memory on SQLite, shared PostgreSQL storage on PostgreSQL) and the clearing services.</summary>
    public static WebApplicationBuilder AddMarketJobs(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<MarketEvents>();
        builder.Services.AddSingleton<ClearingService>();
        builder.Services.AddTransient<ClearingJob>();
        // One storage per app instance, registered before Hangfire's own (static) default, so the server, the
        // recurring-job manager and the dashboard of this app never share a storage with another instance.
        // Created on first use, after this app's logging is set up (Hangfire's log provider is static).
        // On PostgreSQL the jobs live in the market's database, in a schema of their own, so every node sees the same
        // queues, recurring jobs and distributed locks; on SQLite they stay in memory (one node).
        if (builder.Configuration.DatabaseEngine() == MarketDatabase.PostgreSql)
        {
            builder.Services.AddSingleton<JobStorage>(sp => PostgreSqlJobs(sp.GetRequiredService<DataFolder>().ConnectionString));
        }
        else
        {
            builder.Services.AddSingleton<JobStorage>(_ => new Hangfire.InMemory.InMemoryStorage());
        }

        builder.Services.AddHealthChecks().AddCheck<Market.Web.Health.JobStorageHealthCheck>("jobs", tags: ["ready"]);
        builder.Services.AddHangfire((services, c) => c
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            .UseLogProvider(new ResilientHangfireLogProvider(services.GetRequiredService<ILoggerFactory>()))
            .UseStorage(services.GetRequiredService<JobStorage>()));
        var runJobs = builder.Configuration.GetValue($"{MarketOptions.Section}:{nameof(MarketOptions.RunJobs)}", true);
        if (runJobs)
        {
            builder.Services.AddHangfireServer(o =>
            {
                o.WorkerCount = 2;
                o.SchedulePollingInterval = TimeSpan.FromSeconds(5);
            });
        }

        return builder;
    }

    /// <summary>Hangfire's tables in the <c>hangfire</c> schema of the market's PostgreSQL database, created when missing.</summary>
    public static PostgreSqlStorage PostgreSqlJobs(string connectionString)
    {
        var options = new PostgreSqlStorageOptions
        {
            SchemaName = "hangfire",
            PrepareSchemaIfNecessary = true,
            // A clearing job enqueued on one node starts within about a second on any node's idle worker.
            QueuePollInterval = TimeSpan.FromSeconds(1),
        };
        return new PostgreSqlStorage(new NpgsqlConnectionFactory(connectionString, options), options);
    }

    /// <summary>Registers the recurring clearing job and the operators-only dashboard.</summary>
    public static WebApplication MapMarketJobs(this WebApplication app)
    {
        var jobs = app.Services.GetRequiredService<IRecurringJobManager>();
        jobs.AddOrUpdate<ClearingJob>(ClearingJobId, j => j.RunAsync(CancellationToken.None), Cron.Minutely());
        if (app.Configuration.GetValue($"{MarketOptions.Section}:{nameof(MarketOptions.RunJobs)}", true))
        {
            // Catch up at once after a start or a crash, rather than at the next whole minute.
            jobs.Trigger(ClearingJobId);
        }

        app.MapHangfireDashboard("/hangfire", new DashboardOptions
        {
            Authorization = [new OperatorsOnly()],
            DisplayStorageConnectionString = false,
        }, app.Services.GetRequiredService<JobStorage>());
        return app;
    }

    private sealed class OperatorsOnly : IDashboardAuthorizationFilter
    {
        public bool Authorize(DashboardContext context) => context.GetHttpContext().User.IsInRole(Roles.Operator);
    }
}

/// <summary>The recurring job: clears every interval whose gate has closed. Safe to run concurrently and to re-run.</summary>
public sealed class ClearingJob(ClearingService clearing, Market.Web.Trading.StandingOrderService standing, Market.Web.Metering.ReconciliationService reconciliation)
{
    /// <summary>Makes standing orders' next orders, clears what is due, then reconciles intervals whose readings are in; returns the intervals cleared.</summary>
    /// <remarks>
    /// No Hangfire distributed lock: the ledger lock (one transaction at a time, across nodes) already serialises
    /// clearing, and a job lock left behind by a killed node would hold clearing back until it expired.
    /// </remarks>
    [AutomaticRetry(Attempts = 3)]
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        await standing.MaterializeAllAsync(cancellationToken);
        var cleared = await clearing.ClearDueIntervalsAsync(cancellationToken);
        // Intervals whose readings came in (or were corrected) since the last run.
        await reconciliation.ReconcileDueAsync(cancellationToken);
        return cleared;
    }
}
