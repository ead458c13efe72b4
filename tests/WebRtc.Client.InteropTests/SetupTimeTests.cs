using System.Diagnostics;
using System.Globalization;
using WebRtc.Client.DataChannels;

namespace WebRtc.Client.InteropTests;

/// <summary>
/// Connection setup time against a foreign peer: from the start of the offer to the first message
/// echoed back by the foreign side, 10 calls in each direction. Reported, not asserted (timings
/// depend on the machine); the numbers go to the test output and a text attachment.
/// </summary>
[NonParallelizable]
public sealed class SetupTimeTests
{
    private const int Runs = 10;

    [TestCase("chromium")]
    [TestCase("werift")]
    [TestCase("libdatachannel")]
    public async Task OfferToFirstEcho_MedianOfTen(string implementation)
    {
        await using var foreign = await ForeignPeer.StartAsync(implementation);
        var report = new List<string> { $"{implementation} {foreign.Version}: offer to first echoed message, {Runs} calls each, ms" };
        foreach (var offerer in Enum.GetValues<Offerer>())
        {
            var times = new List<double>();
            for (int run = 0; run < Runs; run++)
            {
                times.Add(await MeasureAsync(foreign, offerer));
            }

            times.Sort();
            double median = (times[(Runs / 2) - 1] + times[Runs / 2]) / 2;
            report.Add(string.Create(CultureInfo.InvariantCulture,
                $"{offerer}: median {median:0.0}, min {times[0]:0.0}, max {times[^1]:0.0} (all: {string.Join(" ", times.Select(t => t.ToString("0.0", CultureInfo.InvariantCulture)))})"));
            Assert.That(times, Has.Count.EqualTo(Runs));
        }

        string text = string.Join(Environment.NewLine, report);
        await TestContext.Progress.WriteLineAsync(text);
        string file = Path.Combine(TestContext.CurrentContext.WorkDirectory, $"setup-time-{implementation}.txt");
        await File.WriteAllTextAsync(file, text + Environment.NewLine);
        TestContext.AddTestAttachment(file, "setup times");
    }

    private static async Task<double> MeasureAsync(ForeignPeer foreign, Offerer offerer)
    {
        await using var call = await InteropCall.StartAsync(foreign, trickle: true, foreignEchoes: true);
        var echoed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void Wire(RTCDataChannel channel)
        {
            channel.MessageReceived += (_, m) =>
            {
                if (m.Text == "ping")
                {
                    echoed.TrySetResult();
                }
            };
            channel.Open += (_, _) => channel.Send("ping");
        }

        long start;
        if (offerer == Offerer.DotNetOffers)
        {
            Wire(call.Pc.CreateDataChannel("setup"));
            start = Stopwatch.GetTimestamp();
        }
        else
        {
            await call.CreateForeignChannelAsync("setup");
            call.Pc.DataChannel += (_, e) =>
            {
                Wire(e.Channel);
                if (e.Channel.ReadyState == RTCDataChannelState.Open)
                {
                    e.Channel.Send("ping");
                }
            };
            start = Stopwatch.GetTimestamp();
        }

        await call.NegotiateAsync(offerer);
        try
        {
            await echoed.Task.WaitAsync(ForeignPeer.DefaultTimeout);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"no echo from {foreign.Implementation}. {call.OurState()} {foreign.Diagnostics()}");
        }

        return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }
}
