using Hangfire;
using Hangfire.Dashboard;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Microsoft.Extensions.Options;

namespace Market.Web.Jobs;

public static class JobsExtensions
{
    public const string ClearingJobId = "clear-due-intervals";

    /// <summary>Hangfire (in memory on SQLite, shared PostgreSQL storage on PostgreSQL) and the clearing services.</summary>
    public static WebApplicationBuilder AddMarketJobs(this WebApplicationBuilder builder)
    {
        builder.Services.AddTransient<ClearingJob>();
        builder.Services.AddTransient<DemoAgentJob>();
        builder.Services.AddTransient<NotificationJob>();
        builder.Services.AddTransient<AutopilotJob>();
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

        builder.Services.AddHealthChecks().AddCheck<JobStorageHealthCheck>("jobs", tags: ["ready"]);
        builder.Services.AddHangfire((services, c) => c
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            .UseLogProvider(new ResilientHangfireLogProvider(services.GetRequiredService<ILoggerFactory>()))
            .UseStorage(services.GetRequiredService<JobStorage>()));
        builder.AddSettings<JobsOptions>(JobsOptions.Section);
        if (builder.Configuration.ReadSettings<JobsOptions>(JobsOptions.Section).RunJobs)
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
        jobs.AddOrUpdate<NotificationJob>(NotificationJob.JobId, j => j.RunAsync(CancellationToken.None), Cron.Minutely());
        jobs.AddOrUpdate<AutopilotJob>(AutopilotJob.JobId, j => j.RunAsync(CancellationToken.None), Cron.Minutely());
        if (app.Services.GetRequiredService<IOptions<JobsOptions>>().Value.RunJobs)
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

    /// <summary>The demo agents' recurring job: orders ahead of each gate, readings after each delivery.</summary>
    public static void ScheduleDemoAgents(this WebApplication app) =>
        app.Services.GetRequiredService<IRecurringJobManager>()
            .AddOrUpdate<DemoAgentJob>(DemoAgentJob.JobId, j => j.RunAsync(CancellationToken.None), Cron.Minutely());

    /// <summary>Removes the demo agents' job, which shared job storage (PostgreSQL) keeps from an earlier run.</summary>
    public static void UnscheduleDemoAgents(this WebApplication app) =>
        app.Services.GetRequiredService<IRecurringJobManager>().RemoveIfExists(DemoAgentJob.JobId);

    private sealed class OperatorsOnly : IDashboardAuthorizationFilter
    {
        public bool Authorize(DashboardContext context) => context.GetHttpContext().User.IsInRole(Roles.Operator);
    }
}
