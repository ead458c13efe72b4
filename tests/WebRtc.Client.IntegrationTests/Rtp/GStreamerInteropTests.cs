using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using WebRtc.Client.Packetization;
using WebRtc.Client.Rtp;

namespace WebRtc.Client.IntegrationTests.Rtp;

/// <summary>
/// Our payload formats against GStreamer's own payloaders on loopback: GStreamer encodes and
/// payloads, we rebuild every frame; then we packetize those frames and GStreamer depayloads and
/// decodes every one (counted from fakesink's "chain" messages with -v).
/// </summary>
[NonParallelizable]
public partial class GStreamerInteropTests
{
    private const int Frames = 30;

    public sealed record Format(string Name, string Encoder, string Payloader, string Caps, string Decoder, int PayloadType, Func<IRtpPacketizer> Packetizer, Func<IRtpDepacketizer> Depacketizer, bool Audio)
    {
        public override string ToString() => Name;
    }

    private static readonly Format[] Formats =
    [
        new("VP8", "videotestsrc num-buffers=30 ! video/x-raw,width=320,height=240 ! vp8enc keyframe-max-dist=10 deadline=1", "rtpvp8pay mtu=1200 picture-id-mode=15-bit",
            "application/x-rtp,media=video,clock-rate=90000,encoding-name=VP8,payload=96", "rtpvp8depay ! vp8dec", 96, () => new Vp8Packetizer(), () => new Vp8Packetizer(), false),
        new("VP9", "videotestsrc num-buffers=30 ! video/x-raw,width=320,height=240 ! vp9enc keyframe-max-dist=10 deadline=1 cpu-used=8", "rtpvp9pay mtu=1200 picture-id-mode=15-bit",
            "application/x-rtp,media=video,clock-rate=90000,encoding-name=VP9,payload=98", "rtpvp9depay ! vp9dec", 98, () => new Vp9Packetizer(), () => new Vp9Packetizer(), false),
        new("H264", "videotestsrc num-buffers=30 ! video/x-raw,width=320,height=240 ! x264enc tune=zerolatency key-int-max=10 speed-preset=ultrafast", "rtph264pay mtu=1200 config-interval=-1",
            "application/x-rtp,media=video,clock-rate=90000,encoding-name=H264,payload=102", "rtph264depay ! avdec_h264", 102, () => new H264Packetizer(1), () => new H264Packetizer(1), false),
        new("Opus", "audiotestsrc num-buffers=30 samplesperbuffer=960 ! audio/x-raw,rate=48000 ! opusenc", "rtpopuspay",
            "application/x-rtp,media=audio,clock-rate=48000,encoding-name=OPUS,payload=111", "rtpopusdepay ! opusdec", 111, () => new AudioPacketizer(), () => new AudioPacketizer(), true),
    ];

    private static IEnumerable<Format> AllFormats() => Formats;

    [LibraryImport("libc", EntryPoint = "kill")]
    private static partial int Kill(int pid, int signal);

    [GeneratedRegex("last-message = chain")]
    private static partial Regex ChainRegex();

    [TestCaseSource(nameof(AllFormats))]
    public async Task GStreamer_payloads_we_rebuild_and_GStreamer_decodes_ours(Format format)
    {
        string gst = ExternalDependency.Require("gst-launch-1.0", "gstreamer1.0-tools");

        // 1. GStreamer -> us.
        using var receiver = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        int port = ((IPEndPoint)receiver.Client.LocalEndPoint!).Port;
        // Read while GStreamer sends: the socket buffer alone would overflow on a keyframe burst.
        var datagrams = new List<byte[]>();
        using var stopReading = new CancellationTokenSource();
        var reading = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    var result = await receiver.ReceiveAsync(stopReading.Token);
                    datagrams.Add(result.Buffer);
                }
            }
            catch (OperationCanceledException)
            {
            }
        });
        var (exit, _) = await RunAsync(gst, $"-q {format.Encoder} ! {format.Payloader} pt={format.PayloadType} ! udpsink host=127.0.0.1 port={port}", TimeSpan.FromSeconds(60), null);
        Assert.That(exit, Is.Zero, "the GStreamer sender failed");
        await Task.Delay(500);
        await stopReading.CancelAsync();
        await reading;

        var frames = new List<(uint Timestamp, byte[] Data, bool Key)>();
        int incomplete = 0;
        var assembler = new RtpFrameAssembler(format.Depacketizer(), capacity: 1024);
        assembler.Frame += (in AssembledFrame frame, ReadOnlySpan<byte> data) =>
        {
            if (frame.IsComplete)
            {
                frames.Add((frame.Timestamp, data.ToArray(), frame.IsKeyFrame));
            }
            else
            {
                incomplete++;
            }
        };

        int packets = 0;
        foreach (var datagram in datagrams)
        {
            Assert.That(RtpPacket.TryParse(datagram, out var packet, out var error), Is.True, error.ToString());
            Assert.That(packet.PayloadType, Is.EqualTo(format.PayloadType));
            packets++;
            assembler.Push(packet);
        }

        Assert.That(incomplete, Is.Zero);
        if (format.Audio)
        {
            // opusenc flushes one more packet than it was given buffers.
            Assert.That(frames, Has.Count.InRange(Frames, Frames + 1));
        }
        else
        {
            Assert.That(frames, Has.Count.EqualTo(Frames), $"{packets} packets");
            Assert.That(frames.Count(f => f.Key), Is.EqualTo(3), "keyframes every 10 frames");
            Assert.That(frames[0].Key, Is.True);
        }

        // 2. Us -> GStreamer: packetize the rebuilt frames, GStreamer decodes each.
        int sinkPort = FreeUdpPort();
        var decoded = RunAsync(gst, $"-v -e udpsrc address=127.0.0.1 port={sinkPort} caps=\"{format.Caps}\" ! {format.Decoder} ! fakesink silent=false sync=false",
            TimeSpan.FromSeconds(60), () => WaitForUdpListener(sinkPort));
        await WaitForUdpListenerAsync(sinkPort);

        using var sender = new UdpClient();
        var packetizer = format.Packetizer();
        var output = new byte[1 << 20];
        var lengths = new int[2048];
        var datagramBuffer = new byte[1500];
        ushort seq = 1000;
        foreach (var (timestamp, data, _) in frames)
        {
            Assert.That(packetizer.TryPacketize(data, 1188, output, lengths, out int count), Is.True);
            int position = 0;
            for (int i = 0; i < count; i++)
            {
                var writer = new RtpPacketWriter(datagramBuffer);
                writer.TryWriteHeader(new RtpHeader { Marker = !format.Audio && i == count - 1, PayloadType = (byte)format.PayloadType, SequenceNumber = seq++, Timestamp = timestamp, Ssrc = 0x1234 });
                Assert.That(writer.TryWritePayload(output.AsSpan(position, lengths[i])), Is.True);
                position += lengths[i];
                sender.Send(datagramBuffer, writer.Length, new IPEndPoint(IPAddress.Loopback, sinkPort));
            }

            await Task.Delay(5);
        }

        await Task.Delay(1000);
        var (_, stdout) = await decoded;
        int chains = ChainRegex().Count(stdout);
        if (format.Audio)
        {
            Assert.That(chains, Is.GreaterThanOrEqualTo(frames.Count - 1), "opusdec may hold back its first frame (pre-skip)");
        }
        else
        {
            Assert.That(chains, Is.EqualTo(frames.Count));
        }
    }

    private static int FreeUdpPort()
    {
        using var probe = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.Client.LocalEndPoint!).Port;
    }

    private static bool WaitForUdpListener(int port)
    {
        string hex = $":{port:X4} ";
        return File.ReadAllText("/proc/net/udp").Contains(hex, StringComparison.Ordinal);
    }

    private static async Task WaitForUdpListenerAsync(int port)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!WaitForUdpListener(port))
        {
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), "gst-launch-1.0 did not open its UDP port");
            await Task.Delay(50);
        }

        await Task.Delay(200); // the pipeline reaches PLAYING right after the socket opens
    }

    /// <summary>Runs gst-launch-1.0; with <paramref name="stopWhenReady"/> it is a receiver, stopped with SIGINT (-e: EOS, decoders flush) once the caller's send is done.</summary>
    private static async Task<(int Exit, string Stdout)> RunAsync(string gst, string arguments, TimeSpan timeout, Func<bool>? stopWhenReady)
    {
        var info = new ProcessStartInfo(gst, arguments) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stopWhenReady is not null)
        {
            // The caller sends meanwhile; stop once its send and grace period are over.
            while (!stopWhenReady())
            {
                await Task.Delay(50);
            }

            await Task.Delay(TimeSpan.FromSeconds(2) + TimeSpan.FromMilliseconds(Frames * 10));
            _ = Kill(process.Id, 2);
        }

        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            Assert.Fail($"gst-launch-1.0 {arguments} timed out: {await stderr}");
        }

        string output = await stdout;
        if (process.ExitCode != 0)
        {
            TestContext.Out.WriteLine(await stderr);
        }

        return (process.ExitCode, output);
    }
}
