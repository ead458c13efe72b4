using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace WebRtc.Client.InteropTests;

/// <summary>
/// The BrowserPeer sample as a person uses it: the sample runs as its own process, its page opens in
/// headless Chromium or Firefox, a message goes through the page's form and its echo shows; the page's
/// video call runs beside it (the browser's fake camera decoded by .NET, .NET's test pattern playing in
/// the page); a screenshot is kept.
/// </summary>
[NonParallelizable]
public sealed class BrowserPeerSampleTests
{
    private static IEnumerable<TestCaseData> Cases() =>
        from browser in new[] { ForeignPeer.Chromium, ForeignPeer.Firefox }
        from dotnetOffers in new[] { false, true }
        select new TestCaseData(browser, dotnetOffers).SetName(dotnetOffers
            ? $"BrowserPeer page in {browser}: .NET offers (--offer), the browser answers"
            : $"BrowserPeer page in {browser}: the browser offers, .NET answers and echoes");

    [TestCaseSource(nameof(Cases))]
    public async Task Page_SendsAMessage_AndShowsTheEcho_BesideAVideoCall(string browser, bool dotnetOffers)
    {
        int port = SampleProcess.FreeTcpPort();
        string url = $"http://127.0.0.1:{port}/" + (dotnetOffers ? "?wait" : string.Empty);
        string[] sampleArgs = dotnetOffers ? ["--urls", $"http://127.0.0.1:{port}", "--offer"] : ["--urls", $"http://127.0.0.1:{port}"];
        await using var sample = SampleProcess.Start("BrowserPeer", sampleArgs);
        await sample.WaitForLineAsync(l => l.StartsWith("BrowserPeer: open", StringComparison.Ordinal), TimeSpan.FromSeconds(30), "that it listens");

        string screenshot = Path.Combine(TestContext.CurrentContext.WorkDirectory, $"browserpeer-{browser}-{(dotnetOffers ? "dotnet-offers" : "browser-offers")}.png");
        string message = $"hello from the test, {(dotnetOffers ? "answering" : "offering")} ✓";

        using var page = ForeignPeer.StartNode("browserpeer-page.mjs", [browser], "--browser", browser, url, screenshot, message);
        var stdout = page.StandardOutput.ReadToEndAsync();
        var stderr = page.StandardError.ReadToEndAsync();
        await page.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(90));
        string resultLine = (await stdout).Trim();
        string context = $"page script stderr: {await stderr}; sample output: {string.Join(" | ", sample.Output)}";
        Assert.That(resultLine, Is.Not.Empty, context);
        var result = JsonNode.Parse(resultLine)!.AsObject();
        await TestContext.Out.WriteLineAsync(resultLine);

        Assert.That(File.Exists(screenshot), Is.True, "screenshot saved");
        TestContext.AddTestAttachment(screenshot, "the BrowserPeer page after the echo, with the video call");
        Assert.That((bool?)result["ok"], Is.True, $"{result["error"]}; {context}");
        Assert.That((string?)result["connection"], Is.EqualTo("connected"));
        // Chromium offers only 127.0.0.1 here; Firefox also offers ::1, with the higher priority, and uses it.
        Assert.That((string?)result["pair"], Does.Match(@"^(127\.0\.0\.1|::1):\d+ ↔ \1:\d+$"), "the page shows the selected candidate pair (loopback)");
        var log = result["log"]!.AsArray().Select(l => (string?)l).ToList();
        Assert.That(log, Does.Contain("me: " + message));
        Assert.That(log, Does.Contain("echo: " + message));
        Assert.That(log, Has.Some.Match(dotnetOffers ? "channel 'dotnet' open" : "channel 'chat' open"));
        Assert.That(page.ExitCode, Is.Zero);
        Assert.That(sample.Output, Has.Some.Contains("connection Connected"), "the sample logs the connection");

        // .NET's test pattern plays in the page, at the size sent, and keeps playing.
        var video = result["video"]!;
        Assert.That(((int?)video["width"], (int?)video["height"]), Is.EqualTo((640, 480)), "the page's video element shows .NET's 640x480 test pattern");
        Assert.That((bool?)video["paused"], Is.False, "the video element plays");
        int presented = (int)video["framesAfter"]! - (int)video["framesBefore"]!;
        Assert.That(presented, Is.GreaterThanOrEqualTo(10), "frames presented in 1.5 s (requestVideoFrameCallback)");
        if (browser == ForeignPeer.Chromium)
        {
            // Firefox counts no frames there for a MediaStream source (it stays 0), so only Chromium's is checked.
            Assert.That((long)video["playbackAfter"]!, Is.GreaterThan((long)video["playbackBefore"]!), "getVideoPlaybackQuality().totalVideoFrames rises");
        }

        Assert.That((long?)video["inbound"]?["framesDecoded"], Is.GreaterThanOrEqualTo(15), "the browser's inbound-rtp counts decoded frames");

        // .NET decodes the browser's camera, at the size the browser sends it.
        int sentWidth = (int)video["outbound"]!["frameWidth"]!;
        int sentHeight = (int)video["outbound"]!["frameHeight"]!;
        string first = await sample.WaitForLineAsync(l => l.Contains("first camera frame decoded", StringComparison.Ordinal), TimeSpan.FromSeconds(5), "a decoded camera frame");
        Assert.That(first, Does.EndWith($"{sentWidth}x{sentHeight}"), "the camera frame decodes at the size the browser's outbound-rtp reports");
        await sample.WaitForLineAsync(
            l => Regex.Match(l, @"camera \d+x\d+, (\d+) frames decoded$") is { Success: true } m && int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) >= 10,
            TimeSpan.FromSeconds(6),
            "10 or more camera frames decoded");
    }
}
