
namespace Market.Web.Tests.Demo;

/// <summary>The repository's <c>data/</c> folder and its profiles, loaded once for the pure tests.</summary>
internal static class DemoData
{
    public static readonly string DataDirectory = FindDataDirectory();

    private static readonly Lazy<DemoProfiles> LazyProfiles = new(() => DemoProfiles.Load(Path.Combine(DataDirectory, "households")));

    public static DemoProfiles Profiles => LazyProfiles.Value;

    private static string FindDataDirectory()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            var candidate = Path.Combine(folder.FullName, "data");
            if (File.Exists(Path.Combine(candidate, "households", DemoProfiles.CityLearnFile)))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException("The repository's data/households folder was not found above " + AppContext.BaseDirectory);
    }
}
