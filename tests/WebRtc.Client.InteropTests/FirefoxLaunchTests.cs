using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace WebRtc.Client.InteropTests;

/// <summary>The Firefox the interop tests talk to is Debian's ESR, with the preferences it needs in force.</summary>
[NonParallelizable]
public sealed partial class FirefoxLaunchTests
{
    [Test]
    public async Task Firefox_RunsDebiansEsr_WithTheInteropPrefs()
    {
        await using var firefox = await ForeignPeer.StartAsync(ForeignPeer.Firefox);
        var info = await firefox.CallAsync("info");
        Assert.That((string?)info["executablePath"], Is.EqualTo(Environment.GetEnvironmentVariable("FIREFOX_PATH") ?? "/usr/bin/firefox-esr"));
        Assert.That(firefox.Version, Does.Match(@"^\d+\.\d+(\.\d+)?$"), "the version the browser reports over BiDi");
        Assert.That((string?)info["userAgent"], Does.Contain($"Firefox/{firefox.Version.Split('.')[0]}."));

        // What it was started with: headless, BiDi, and our preferences in its profile's user.js.
        var launch = await firefox.CallAsync("browserCommandLine");
        Assert.That((string?)launch["commandLine"], Does.Contain("--headless").And.Contain("--remote-debugging-port"));
        var written = launch["userPrefs"]!.AsObject();
        foreach (var (name, value) in info["prefs"]!.AsObject())
        {
            Assert.That(written[name]?.ToJsonString(), Is.EqualTo(value!.ToJsonString()), $"pref {name} in user.js");
        }

        // And in force, by their effect (BiDi cannot open about:config): in this namespace only `lo` is up,
        // so without the permission and loopback prefs Firefox gathers nothing, and with host obfuscation
        // the address would be an mDNS name.
        await firefox.CallAsync("reset");
        await firefox.CallAsync("config", new JsonObject { ["trickle"] = false });
        await firefox.CallAsync("createDataChannel", new JsonObject { ["label"] = "probe" });
        string sdp = (string)(await firefox.CallAsync("createOffer"))["sdp"]!;
        Assert.That(HostCandidate().IsMatch(sdp), Is.True, $"a UDP host candidate on 127.0.0.1: {sdp}");
        Assert.That(sdp, Does.Not.Contain(".local"), "no mDNS names");

        // getUserMedia answers at once, without a prompt, from Firefox's fake devices.
        var media = await firefox.CallAsync("probeUserMedia");
        var tracks = media["tracks"]!.AsArray().Select(t => ((string?)t!["kind"], (string?)t["label"], (string?)t["readyState"]));
        Assert.That(tracks, Is.EquivalentTo(new[] { ("audio", "Default Audio Device", "live"), ("video", "Default Video Device", "live") }));
        await firefox.CallAsync("reset");
    }

    [GeneratedRegex(@"a=candidate:\S+ 1 UDP \d+ 127\.0\.0\.1 \d+ typ host")]
    private static partial Regex HostCandidate();
}
