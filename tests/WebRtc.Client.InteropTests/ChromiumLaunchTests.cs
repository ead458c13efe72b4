namespace WebRtc.Client.InteropTests;

/// <summary>The browser the interop tests talk to is the one DESIGN.md describes, with its flags in force.</summary>
[NonParallelizable]
public sealed class ChromiumLaunchTests
{
    [Test]
    public async Task Chromium_RunsDebiansBinary_WithTheInteropFlags()
    {
        await using var chromium = await ForeignPeer.StartAsync("chromium");
        var info = await chromium.CallAsync("info");
        Assert.That((string?)info["executablePath"], Is.EqualTo(Environment.GetEnvironmentVariable("CHROMIUM_PATH") ?? "/usr/bin/chromium"));

        // What the browser really runs with, from chrome://version, not what we asked for.
        string commandLine = (string)(await chromium.CallAsync("browserCommandLine"))["commandLine"]!;
        Assert.That(commandLine, Does.Contain("--headless"));
        Assert.That(commandLine, Does.Contain("--use-fake-device-for-media-stream"));
        Assert.That(commandLine, Does.Contain("--use-fake-ui-for-media-stream"));
        Assert.That(commandLine, Does.Contain("--allow-loopback-in-peer-connection"));

        // Chromium honours only the last --disable-features: ours must be the one, merged with playwright's.
        var disabled = commandLine.Split(' ').Where(a => a.StartsWith("--disable-features=", StringComparison.Ordinal)).ToList();
        Assert.That(disabled, Is.Not.Empty);
        Assert.That(disabled[^1].Split('=', 2)[1].Split(','), Does.Contain("WebRtcHideLocalIpsWithMdns"));
    }
}
