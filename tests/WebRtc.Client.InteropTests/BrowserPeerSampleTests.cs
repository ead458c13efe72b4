using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;

namespace WebRtc.Client.InteropTests;

/// <summary>
/// The BrowserPeer sample as a person uses it: the sample runs as its own process, its page opens in
/// headless Chromium or Firefox, a message goes through the page's form and its echo shows; a screenshot is kept.
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
    public async Task Page_SendsAMessage_AndShowsTheEcho(string browser, bool dotnetOffers)
    {
        int port = FreeTcpPort();
        string url = $"http://127.0.0.1:{port}/" + (dotnetOffers ? "?wait" : string.Empty);
        using var sample = StartSample(port, dotnetOffers);
        var output = new List<string>();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        sample.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lock (output)
            {
                output.Add(e.Data);
            }

            if (e.Data.StartsWith("BrowserPeer: open", StringComparison.Ordinal))
            {
                started.TrySetResult();
            }
        };
        sample.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (output)
                {
                    output.Add("stderr: " + e.Data);
                }
            }
        };
        sample.BeginOutputReadLine();
        sample.BeginErrorReadLine();
        try
        {
            try
            {
                await started.Task.WaitAsync(TimeSpan.FromSeconds(30));
            }
            catch (TimeoutException)
            {
                Assert.Fail($"the sample did not say it was listening: {string.Join(" | ", Snapshot(output))}");
            }

            string screenshot = Path.Combine(TestContext.CurrentContext.WorkDirectory, $"browserpeer-{browser}-{(dotnetOffers ? "dotnet-offers" : "browser-offers")}.png");
            string message = $"hello from the test, {(dotnetOffers ? "answering" : "offering")} ✓";

            using var page = ForeignPeer.StartNode("browserpeer-page.mjs", [browser], "--browser", browser, url, screenshot, message);
            var stdout = page.StandardOutput.ReadToEndAsync();
            var stderr = page.StandardError.ReadToEndAsync();
            await page.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
            string resultLine = (await stdout).Trim();
            string context = $"page script stderr: {await stderr}; sample output: {string.Join(" | ", Snapshot(output))}";
            Assert.That(resultLine, Is.Not.Empty, context);
            var result = JsonNode.Parse(resultLine)!.AsObject();
            await TestContext.Out.WriteLineAsync(resultLine);

            Assert.That(File.Exists(screenshot), Is.True, "screenshot saved");
            TestContext.AddTestAttachment(screenshot, "the BrowserPeer page after the echo");
            Assert.That((bool?)result["ok"], Is.True, $"{result["error"]}; {context}");
            Assert.That((string?)result["connection"], Is.EqualTo("connected"));
            // Chromium offers only 127.0.0.1 here; Firefox also offers ::1, with the higher priority, and uses it.
            Assert.That((string?)result["pair"], Does.Match(@"^(127\.0\.0\.1|::1):\d+ ↔ \1:\d+$"), "the page shows the selected candidate pair (loopback)");
            var log = result["log"]!.AsArray().Select(l => (string?)l).ToList();
            Assert.That(log, Does.Contain("me: " + message));
            Assert.That(log, Does.Contain("echo: " + message));
            Assert.That(log, Has.Some.Match(dotnetOffers ? "channel 'dotnet' open" : "channel 'chat' open"));
            Assert.That(page.ExitCode, Is.Zero);
            Assert.That(Snapshot(output), Has.Some.Contains("connection Connected"), "the sample logs the connection");
        }
        finally
        {
            if (!sample.HasExited)
            {
                sample.Kill(entireProcessTree: true);
                await sample.WaitForExitAsync();
            }
        }
    }

    private static List<string> Snapshot(List<string> output)
    {
        lock (output)
        {
            return [.. output];
        }
    }

    private static Process StartSample(int port, bool dotnetOffers)
    {
        // The sample's build output, in the configuration these tests were built in; run from the
        // project folder so its wwwroot is the content root, as with `dotnet run`.
        string configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        string project = Path.GetFullPath(Path.Combine(ForeignPeer.NodeDirectory, "..", "..", "..", "samples", "BrowserPeer"));
        string dll = Path.Combine(project, "bin", configuration, "net10.0", "BrowserPeer.dll");
        Assert.That(File.Exists(dll), Is.True, $"{dll} is built with the tests (ProjectReference)");
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = project,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add($"http://127.0.0.1:{port}");
        if (dotnetOffers)
        {
            start.ArgumentList.Add("--offer");
        }

        return Process.Start(start) ?? throw new InvalidOperationException("the sample did not start");
    }

    private static int FreeTcpPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
