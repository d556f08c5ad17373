using System.Reflection;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Market.Web.Tests.Support;

/// <summary>
/// xunit's own test framework plus one step: after the assembly's last test, and before the run reports that it
/// finished (after which the test host may exit at any moment), what the whole run shared is removed: the folders
/// given to <see cref="TestDatabase.DisposeAtEndOfRun"/> and the PostgreSQL template database. A failure to remove
/// them is reported as a failure of the run.
/// </summary>
public sealed class CleanupTestFramework(IMessageSink diagnosticMessageSink) : XunitTestFramework(diagnosticMessageSink)
{
    protected override ITestFrameworkExecutor CreateExecutor(AssemblyName assemblyName) =>
        new Executor(assemblyName, SourceInformationProvider, DiagnosticMessageSink);

    private sealed class Executor(AssemblyName assemblyName, ISourceInformationProvider sourceInformationProvider, IMessageSink diagnosticMessageSink)
        : XunitTestFrameworkExecutor(assemblyName, sourceInformationProvider, diagnosticMessageSink)
    {
        // async void: the signature xunit's executor declares; the runner reports completion through the message sink.
        protected override async void RunTestCases(IEnumerable<IXunitTestCase> testCases, IMessageSink executionMessageSink, ITestFrameworkExecutionOptions executionOptions)
        {
            using var runner = new Runner(TestAssembly, testCases, DiagnosticMessageSink, executionMessageSink, executionOptions);
            await runner.RunAsync();
        }
    }

    private sealed class Runner(ITestAssembly testAssembly, IEnumerable<IXunitTestCase> testCases, IMessageSink diagnosticMessageSink, IMessageSink executionMessageSink, ITestFrameworkExecutionOptions executionOptions)
        : XunitTestAssemblyRunner(testAssembly, testCases, diagnosticMessageSink, executionMessageSink, executionOptions)
    {
        protected override async Task BeforeTestAssemblyFinishedAsync()
        {
            await Aggregator.RunAsync(TestDatabase.EndOfRunAsync);
            await base.BeforeTestAssemblyFinishedAsync();
        }
    }
}
