using System.Net.Sockets;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Market.Web.Tests.Persistence;

/// <summary>Which failures are storage faults, and what the app says about them.</summary>
[Trait("Database", "Independent")]
public sealed class StorageFaultOfTests
{
    [Theory]
    [InlineData(13, StorageFaultKind.Full)]
    [InlineData(8, StorageFaultKind.ReadOnly)]
    [InlineData(10, StorageFaultKind.IoError)]
    [InlineData(14, StorageFaultKind.Unreachable)]
    public void Of_SqliteStorageError_IsThatKindOfFault(int code, StorageFaultKind kind)
    {
        var fault = StorageFault.Of(new DbUpdateException("save failed", new SqliteException("boom", code)));

        fault.ShouldNotBeNull().Kind.ShouldBe(kind);
    }

    [Theory]
    [InlineData("25006", StorageFaultKind.ReadOnly)]
    [InlineData("53100", StorageFaultKind.Full)]
    [InlineData("58030", StorageFaultKind.IoError)]
    [InlineData("57P01", StorageFaultKind.Unreachable)]
    public void Of_PostgresStorageError_IsThatKindOfFault(string sqlState, StorageFaultKind kind)
    {
        var fault = StorageFault.Of(new PostgresException("boom", "ERROR", "ERROR", sqlState));

        fault.ShouldNotBeNull().Kind.ShouldBe(kind);
    }

    [Fact]
    public void Of_BrokenConnectionToTheServer_Unreachable()
    {
        var fault = StorageFault.Of(new NpgsqlException("Exception while reading from stream", new IOException("reset", new SocketException())));

        fault.ShouldNotBeNull().Kind.ShouldBe(StorageFaultKind.Unreachable);
    }

    [Theory]
    [InlineData(19)] // a constraint: a business outcome, not the storage
    [InlineData(5)] // busy: contention, not the storage
    public void Of_SqliteErrorOtherThanStorage_Null(int code) =>
        StorageFault.Of(new SqliteException("boom", code)).ShouldBeNull();

    [Fact]
    public void Of_UniqueViolationOnPostgres_Null() =>
        StorageFault.Of(new PostgresException("duplicate", "ERROR", "ERROR", "23505")).ShouldBeNull();

    [Fact]
    public void Of_NpgsqlPoolExhausted_Null() =>
        StorageFault.Of(new NpgsqlException("The connection pool has been exhausted", new TimeoutException())).ShouldBeNull();

    [Fact]
    public void Observe_ManyFailuresOfOneFault_KeepsTheFirstReasonUntilRecovered()
    {
        var health = new StorageHealth(NullLogger<StorageHealth>.Instance);

        health.Observe(new SqliteException("full", 13));
        health.Observe(new SqliteException("readonly", 8));

        health.Fault.ShouldNotBeNull().Kind.ShouldBe(StorageFaultKind.Full);
        health.Recovered();
        health.Fault.ShouldBeNull();
    }

    [Fact]
    public void Observe_OtherFailure_StillWritable()
    {
        var health = new StorageHealth(NullLogger<StorageHealth>.Instance);

        health.Observe(new InvalidOperationException("a bug")).ShouldBeNull();

        health.Fault.ShouldBeNull();
    }
}
