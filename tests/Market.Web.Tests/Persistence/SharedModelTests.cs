using Market.Web.Tests.Support;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Market.Web.Tests.Persistence;

/// <summary>
/// The apps under test share one EF Core model per test process (<see cref="TestDatabase.Model"/>) instead of each
/// building its own; that is only sound while it is exactly the model an app builds for itself on the same engine.
/// </summary>
public sealed class SharedModelTests
{
    [Fact]
    public async Task Model_AppThatBuildsItsOwn_SameAsTheSharedModel()
    {
        await using var own = new MarketFactory { SharedModel = false };
        _ = own.Server;
        await using var db = own.CreateDb();

        var model = db.GetService<IDesignTimeModel>().Model;

        model.ShouldNotBeSameAs(TestDatabase.Model(own.Database));
        model.ToDebugString(MetadataDebugStringOptions.LongDefault)
            .ShouldBe(TestDatabase.Model(own.Database).ToDebugString(MetadataDebugStringOptions.LongDefault));
    }

    [Fact]
    public async Task Model_AppUnderTest_UsesTheSharedModel()
    {
        await using var app = new MarketFactory();
        _ = app.Server;
        await using var db = app.CreateDb();

        var model = db.GetService<IDesignTimeModel>().Model;

        model.ShouldBeSameAs(TestDatabase.Model(app.Database));
    }
}
