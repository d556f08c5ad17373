using Microsoft.Data.Sqlite;

namespace Market.Web.Tests.Support;

/// <summary>
/// A temporary folder a test owns, and the PostgreSQL database an app on it made (<see cref="TestDatabase"/>): both
/// are removed when it is disposed, whatever the test's outcome. Declare it before the apps that use it
/// (<c>await using</c>), so they stop first.
/// </summary>
public sealed class TestFolder : IAsyncDisposable
{
    public TestFolder(string prefix = "market-test-") => Path = Directory.CreateTempSubdirectory(prefix).FullName;

    public string Path { get; }

    /// <summary>Drops the folder's database (a failure to drop fails the test: the server is broken), then deletes the folder.</summary>
    public ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            TestDatabase.DropFor(Path);
        }
        finally
        {
            try
            {
                Directory.Delete(Path, recursive: true);
            }
            catch (IOException)
            {
                // A leftover temp folder is harmless; never fail a test over it.
            }
        }

        return ValueTask.CompletedTask;
    }
}
