namespace WebRtc.Client.IntegrationTests;

/// <summary>
/// Finds a program a test needs. Outside CI a missing one makes the test inconclusive with the
/// install command; in CI (CI=true) it is a failure, never a silent skip.
/// </summary>
internal static class ExternalDependency
{
    public static string Require(string program, string debianPackage)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin").Split(':').Append("/usr/sbin").Append("/usr/bin"))
        {
            var path = Path.Combine(dir, program);
            if (File.Exists(path))
            {
                return path;
            }
        }

        string message = $"'{program}' is not installed: apt-get install -y {debianPackage} (./build.sh test installs it)";
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Assert.Fail(message);
        }

        Assert.Ignore(message);
        return string.Empty;
    }
}
