using System.Buffers;
using System.Diagnostics;
using System.Net;
using WebRtc.Client.Codecs;
using WebRtc.Client.Codecs.FFmpeg;
using WebRtc.Client.Codecs.Opus;
using WebRtc.Client.Ice;
using WebRtc.Client.Media;

namespace WebRtc.Client.Benchmarks.EndToEnd;

/// <summary>
/// CPU of one call: two RTCPeerConnections in this process on 127.0.0.1, each sending a 640x480
/// 30 fps test pattern as VP8 and a 48 kHz sine as Opus, each decoding what it receives. Measures
/// process CPU (Process.TotalProcessorTime) over a fixed wall time after a warm-up, and the encode and
/// decode time the stack itself reports (outbound-rtp totalEncodeTime, inbound-rtp totalDecodeTime).
/// Same-run baseline: the same work without the network path — the same number of test-pattern frames
/// rendered, VP8-encoded and decoded, and the same Opus frames encoded and decoded, in a plain loop.
/// </summary>
internal static class MediaCallHarness
{
    private const int Width = 640;
    private const int Height = 480;
    private const int Fps = 30;

    public static async Task RunAsync(double seconds)
    {
        int cores = Environment.ProcessorCount;
        Console.WriteLine($"Media call CPU: 2 peers in one process, each sending {Width}x{Height}@{Fps} VP8 + Opus and decoding the other's; {seconds:0} s measured, {cores} cores");

        var call = await MeasureCallAsync(seconds);
        var baseline = MeasureBaseline(seconds);

        Console.WriteLine();
        Console.WriteLine("| Measurement | CPU time | CPU % of the machine | CPU % of one core |");
        Console.WriteLine("|---|---:|---:|---:|");
        Row("Call, whole process (both peers)", call.Process, seconds, cores);
        Row("  of which VP8 encode (outbound totalEncodeTime, both peers)", call.Encode, seconds, cores);
        Row("  of which VP8 decode (inbound totalDecodeTime, both peers)", call.Decode, seconds, cores);
        Row("Baseline: the same frames rendered + VP8 encoded + decoded, Opus encoded + decoded, no network", baseline.Total, seconds, cores);
        Row("  of which VP8 encode", baseline.Encode, seconds, cores);
        Row("  of which VP8 decode", baseline.Decode, seconds, cores);
        Row("  of which Opus encode + decode", baseline.Opus, seconds, cores);
        Row("  of which test-pattern rendering", baseline.Render, seconds, cores);
        Console.WriteLine();
        Console.WriteLine($"Call: {call.FramesEncoded} video frames encoded, {call.FramesDecoded} decoded ({call.FramesDecoded / seconds / 2:0.0} fps per direction), " +
            $"{call.PacketsSent} RTP packets sent, {call.BytesSent / seconds * 8 / 1e6 / 2:0.00} Mbit/s per direction, " +
            $"{call.AudioFrames} audio frames decoded, GC: {call.Gen0} gen0 / {call.Gen2} gen2, {call.Allocated / seconds / 1e6:0.0} MB/s allocated");
        Console.WriteLine($"Process CPU over the call minus the baseline: {(call.Process - baseline.Total).TotalSeconds / seconds * 100 / cores:0.0} % of the machine (network path, pipeline, sources' pacing)");
    }

    private static void Row(string name, TimeSpan cpu, double seconds, int cores) =>
        Console.WriteLine($"| {name} | {cpu.TotalSeconds:0.00} s | {cpu.TotalSeconds / seconds * 100 / cores:0.0} % | {cpu.TotalSeconds / seconds * 100:0.0} % |");

    private sealed record CallResult(TimeSpan Process, TimeSpan Encode, TimeSpan Decode, long FramesEncoded, long FramesDecoded, long PacketsSent, long BytesSent,
        long AudioFrames, int Gen0, int Gen2, long Allocated);

    private static RTCPeerConnection NewPeer() => new(new RTCConfiguration(), new RTCPeerConnectionOptions
    {
        BindAddresses = [IPAddress.Loopback],
        Codecs = CodecRegistry.CreateDefault().AddOpus().AddFFmpegVideo(),
    });

    private static async Task<CallResult> MeasureCallAsync(double seconds)
    {
        await using var alice = NewPeer();
        await using var bob = NewPeer();
        long videoFrames = 0, audioFrames = 0;
        void Attach(RTCTrackEventArgs e)
        {
            e.Track.VideoFrameReceived += (_, _) => Interlocked.Increment(ref videoFrames);
            e.Track.AudioFrameReceived += (_, _) => Interlocked.Increment(ref audioFrames);
        }

        alice.Track += (_, e) => Attach(e);
        bob.Track += (_, e) => Attach(e);
        foreach (var pc in new[] { alice, bob })
        {
            pc.AddTrack(VideoSource.TestPattern(Width, Height, Fps).CreateTrack());
            pc.AddTrack(AudioSource.Sine(440).CreateTrack());
        }

        await NegotiateAsync(alice, bob);
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (Interlocked.Read(ref videoFrames) < 60 && DateTime.UtcNow < until)
        {
            await Task.Delay(50);
        }

        if (Interlocked.Read(ref videoFrames) < 60)
        {
            throw new InvalidOperationException("The call did not start: fewer than 60 video frames decoded in 30 s");
        }

        await Task.Delay(2000); // warm-up: JIT, encoder rate control, first keyframes
        using var process = Process.GetCurrentProcess();
        var before = await SnapshotAsync(alice, bob);
        long audioBefore = Interlocked.Read(ref audioFrames);
        int gen0 = GC.CollectionCount(0), gen2 = GC.CollectionCount(2);
        long allocated = GC.GetTotalAllocatedBytes();
        process.Refresh();
        var cpu0 = process.TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(seconds));
        process.Refresh();
        var cpu = process.TotalProcessorTime - cpu0;
        double measured = wall.Elapsed.TotalSeconds;
        var after = await SnapshotAsync(alice, bob);
        double scale = seconds / measured; // report per nominal second
        return new CallResult(cpu * scale, TimeSpan.FromSeconds((after.Encode - before.Encode) * scale), TimeSpan.FromSeconds((after.Decode - before.Decode) * scale),
            after.FramesEncoded - before.FramesEncoded, after.FramesDecoded - before.FramesDecoded, after.PacketsSent - before.PacketsSent, after.BytesSent - before.BytesSent,
            Interlocked.Read(ref audioFrames) - audioBefore, GC.CollectionCount(0) - gen0, GC.CollectionCount(2) - gen2, GC.GetTotalAllocatedBytes() - allocated);
    }

    private sealed record Snapshot(double Encode, double Decode, long FramesEncoded, long FramesDecoded, long PacketsSent, long BytesSent);

    private static async Task<Snapshot> SnapshotAsync(params RTCPeerConnection[] peers)
    {
        double encode = 0, decode = 0;
        long encoded = 0, decoded = 0, packets = 0, bytes = 0;
        foreach (var pc in peers)
        {
            var report = await pc.GetStatsAsync();
            foreach (var o in report.OfType<RTCOutboundRtpStreamStats>())
            {
                packets += o.PacketsSent;
                bytes += o.BytesSent;
                if (o.Kind == "video")
                {
                    encode += o.TotalEncodeTime;
                    encoded += o.FramesEncoded;
                }
            }

            foreach (var i in report.OfType<RTCInboundRtpStreamStats>().Where(s => s.Kind == "video"))
            {
                decode += i.TotalDecodeTime;
                decoded += i.FramesDecoded;
            }
        }

        return new Snapshot(encode, decode, encoded, decoded, packets, bytes);
    }

    private static async Task NegotiateAsync(RTCPeerConnection offerer, RTCPeerConnection answerer)
    {
        await offerer.SetLocalDescriptionAsync();
        await GatheredAsync(offerer);
        await answerer.SetRemoteDescriptionAsync(offerer.LocalDescription!);
        await answerer.SetLocalDescriptionAsync();
        await GatheredAsync(answerer);
        await offerer.SetRemoteDescriptionAsync(answerer.LocalDescription!);
    }

    private static async Task GatheredAsync(RTCPeerConnection pc)
    {
        var end = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (pc.IceGatheringState != RTCIceGatheringState.Complete && DateTime.UtcNow < end)
        {
            await Task.Delay(10);
        }
    }

    private sealed record BaselineResult(TimeSpan Total, TimeSpan Encode, TimeSpan Decode, TimeSpan Opus, TimeSpan Render);

    // The codec work of the call's duration, done back to back on this thread: 2 directions x seconds x 30 frames,
    // 2 x seconds x 50 Opus frames. CPU time measured on the thread's own clock (the process has other threads idle).
    private static BaselineResult MeasureBaseline(double seconds)
    {
        int videoFrames = (int)(seconds * Fps);
        int audioFrames = (int)(seconds * 50);
        var render = TimeSpan.Zero;
        var encode = TimeSpan.Zero;
        var decode = TimeSpan.Zero;
        var opus = TimeSpan.Zero;
        var output = new ArrayBufferWriter<byte>(256 * 1024);
        using var process = Process.GetCurrentProcess();
        var processCpu0 = process.TotalProcessorTime;
        for (int direction = 0; direction < 2; direction++)
        {
            var source = VideoSource.TestPattern(Width, Height, Fps);
            using var encoder = FFmpegCodecs.Vp8.CreateEncoder(new VideoEncoderSettings
            {
                Width = Width,
                Height = Height,
                FrameRate = Fps,
                Bitrate = Math.Clamp(Width * Height * 30 / 10, 150_000, 2_500_000), // RtpSendStream's default for this size
            });
            using var decoder = FFmpegCodecs.Vp8.CreateDecoder();
            for (int i = 0; i < videoFrames + Fps; i++)
            {
                bool measure = i >= Fps; // the first second warms up
                var t0 = ThreadCpu();
                using var frame = source.NextFrame();
                var t1 = ThreadCpu();
                output.Clear();
                encoder.EncodeFrame(frame, output, out _);
                var t2 = ThreadCpu();
                using var picture = decoder.Decode(output.WrittenSpan, frame.Timestamp);
                var t3 = ThreadCpu();
                if (measure)
                {
                    render += t1 - t0;
                    encode += t2 - t1;
                    decode += t3 - t2;
                }
            }

            var sine = AudioSource.Sine(440);
            using var opusEncoder = OpusCodec.Factory.CreateEncoder(new AudioEncoderSettings { Channels = 1, Fec = true });
            using var opusDecoder = OpusCodec.Factory.CreateDecoder(2);
            var payload = new byte[1500];
            var pcm = new short[5760 * 2];
            for (int i = 0; i < audioFrames + 50; i++)
            {
                using var frame = sine.NextFrame();
                var t0 = ThreadCpu();
                int n = opusEncoder.Encode(frame.Samples, payload);
                opusDecoder.Decode(payload.AsSpan(0, n), pcm);
                if (i >= 50)
                {
                    opus += ThreadCpu() - t0;
                }
            }
        }

        // The total is the process's CPU over the loop (codec threads included), scaled to the measured share of frames.
        process.Refresh();
        double measuredShare = (double)(videoFrames + audioFrames) / (videoFrames + Fps + audioFrames + 50);
        var total = (process.TotalProcessorTime - processCpu0) * measuredShare;
        return new BaselineResult(total > render + encode + decode + opus ? total : render + encode + decode + opus, encode, decode, opus, render);
    }

    // This thread's CPU time, nanosecond resolution (clock_gettime(CLOCK_THREAD_CPUTIME_ID)); process time elsewhere.
    private static TimeSpan ThreadCpu()
    {
        if (OperatingSystem.IsLinux() && clock_gettime(3, out var ts) == 0)
        {
            return TimeSpan.FromTicks((ts.Seconds * TimeSpan.TicksPerSecond) + (ts.Nanoseconds / 100));
        }

        return Process.GetCurrentProcess().TotalProcessorTime;
    }

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = false)]
    private static extern int clock_gettime(int clockId, out Timespec value);

    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
