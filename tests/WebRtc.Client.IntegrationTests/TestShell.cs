using System.Diagnostics;

namespace WebRtc.Client.IntegrationTests;

/// <summary>Runs the system tools the network tests need (ip, nft), and guards where they may run.</summary>
internal static class TestShell
{
    /// <summary>Runs a program; returns stdout+stderr and the exit code.</summary>
    public static async Task<(string Output, int Code)> RunAsync(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (await stdout + await stderr, process.ExitCode);
    }

    /// <summary>Runs a program and throws with its output when it fails.</summary>
    public static async Task MustAsync(string file, params string[] args)
    {
        var (output, code) = await RunAsync(file, args);
        if (code != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({code}): {output}");
        }
    }

    /// <summary>Outside CI the test is inconclusive with the reason; in CI it fails.</summary>
    public static void Inconclusive(string message)
    {
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Assert.Fail(message);
        }

        Assert.Ignore(message);
    }

    /// <summary>
    /// Stops the test unless it runs as root inside the throwaway network namespace of
    /// ./build.sh test (only lo, or links this suite made): never reconfigure a real host.
    /// </summary>
    public static async Task RequireIsolatedNamespaceAsync(string what)
    {
        ExternalDependency.Require("ip", "iproute2");
        ExternalDependency.Require("nft", "nftables");
        if (Environment.UserName != "root")
        {
            Inconclusive(what + " needs root");
        }

        var (links, _) = await RunAsync("ip", "-o", "link", "show");
        if (links.Split('\n', StringSplitOptions.RemoveEmptyEntries).Any(l => !l.Contains(": lo:", StringComparison.Ordinal) && !l.Contains("wrtc", StringComparison.Ordinal)))
        {
            Inconclusive(what + " runs only inside the isolated network namespace of ./build.sh test");
        }
    }
}
