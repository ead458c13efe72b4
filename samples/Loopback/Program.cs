using System.Diagnostics;
using System.Net;
using WebRtc.Client;
using WebRtc.Client.Codecs;
using WebRtc.Client.Codecs.FFmpeg;
using WebRtc.Client.Codecs.Opus;
using WebRtc.Client.DataChannels;
using WebRtc.Client.Media;
using WebRtc.Client.Signaling;

// Two peers in one process, connected over 127.0.0.1 through an in-memory signaling channel
// with the W3C perfect-negotiation pattern: the same code would run over a WebSocket.
// Alice calls Bob (VP8 test pattern and an Opus sine) and moves a bulk transfer over a data
// channel during the call; Bob decodes both tracks and echoes the chat channels.
//   dotnet run --project samples/Loopback -- [MiB to transfer, 64] [seconds of call, 4]
var clock = Stopwatch.StartNew();
void Log(string who, string what) => Console.WriteLine($"[{clock.Elapsed.TotalMilliseconds,8:0.0} ms] {who,-5} {what}");

int transferMiB = args.Length > 0 && int.TryParse(args[0], out var mib) ? mib : 64;
int callSeconds = args.Length > 1 && int.TryParse(args[1], out var seconds) ? seconds : 4;

// Opus is managed (Concentus); video needs FFmpeg's libavcodec, found at run time.
var codecs = CodecRegistry.CreateDefault().AddOpus();
bool video = true;
try
{
    FFmpegCodecs.Vp8.CreateDecoder().Dispose();
    codecs.AddFFmpegVideo();
}
catch (Exception e) when (e is FFmpegNotFoundException or FFmpegException or NotSupportedException)
{
    video = false;
    Console.WriteLine($"No video, FFmpeg is not usable: {e.Message}");
    if (e is FFmpegNotFoundException missing)
    {
        Console.WriteLine($"  install it with: sudo apt-get install -y {missing.DebianPackage}   (./build.sh run does this as root)");
    }
}

var options = new RTCPeerConnectionOptions { BindAddresses = [IPAddress.Loopback], Codecs = codecs };
await using var alice = new RTCPeerConnection(new RTCConfiguration(), options);
await using var bob = new RTCPeerConnection(new RTCConfiguration(), options);
foreach (var (name, pc) in new[] { ("alice", alice), ("bob", bob) })
{
    pc.SignalingStateChange += (_, s) => Log(name, $"signaling   {s}");
    pc.IceGatheringStateChange += (_, s) => Log(name, $"gathering   {s}");
    pc.IceConnectionStateChange += (_, s) => Log(name, $"ice         {s}");
    pc.ConnectionStateChange += (_, s) => Log(name, $"connection  {s}");
}

// Bob decodes what Alice sends: a track decodes only while someone listens to its frames.
var call = new CallCounters();
bob.Track += (_, e) =>
{
    Log("bob", $"track       {e.Track.Kind} in stream {e.Streams.FirstOrDefault()?.Id ?? "-"}");
    e.Track.VideoFrameReceived += (_, f) =>
    {
        Interlocked.Increment(ref call.VideoFrames);
        call.Width = f.Width;
        call.Height = f.Height;
    };
    e.Track.AudioFrameReceived += (_, f) => Interlocked.Increment(ref call.AudioFrames);
};

var (toBob, toAlice) = InMemorySignalingChannel.CreatePair();
await using var aliceNegotiator = PerfectNegotiator.Attach(alice, toBob, polite: false);
await using var bobNegotiator = PerfectNegotiator.Attach(bob, toAlice, polite: true);


// Bob answers every message on every channel the other side opens.
var transferDone = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
long bulkReceived = 0;
bob.DataChannel += (_, e) =>
{
    var channel = e.Channel;
    Log("bob", $"channel     '{channel.Label}' id {channel.Id}, ordered {channel.Ordered}, maxRetransmits {channel.MaxRetransmits?.ToString() ?? "-"}");
    channel.MessageReceived += (_, m) =>
    {
        if (channel.Label == "bulk")
        {
            if (Interlocked.Add(ref bulkReceived, m.Span.Length) >= transferMiB * 1024L * 1024)
            {
                transferDone.TrySetResult(bulkReceived);
            }

            return;
        }

        channel.Send(m.IsBinary ? "binary " + m.Span.Length + " bytes" : "echo: " + m.Text);
    };
};

var chat = alice.CreateDataChannel("chat");
var telemetry = alice.CreateDataChannel("telemetry", new RTCDataChannelInit { Ordered = false, MaxRetransmits = 0 });

// Alice's camera and microphone: a 640x480 test pattern at 30 fps and a 440 Hz tone, in one stream.
// The negotiators offer on NegotiationNeeded, which CreateDataChannel and AddTrack raise.
var aliceStream = new MediaStream();
if (video)
{
    alice.AddTrack(VideoSource.TestPattern(640, 480, 30).CreateTrack(), aliceStream);
}

alice.AddTrack(AudioSource.Sine(440).CreateTrack(), aliceStream);

var replies = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
int replyCount = 0;
foreach (var channel in new[] { chat, telemetry })
{
    channel.MessageReceived += (_, m) =>
    {
        Log("alice", $"'{channel.Label}' got \"{m.Text}\"");
        if (Interlocked.Increment(ref replyCount) == 4)
        {
            replies.TrySetResult();
        }
    };
}

await WhenOpen(chat);
await WhenOpen(telemetry);
chat.Send("hello bob");
chat.Send("how are you?");
telemetry.Send("cpu=12%");
telemetry.Send([1, 2, 3, 4]);
await replies.Task.WaitAsync(TimeSpan.FromSeconds(10));

var stats = await alice.GetStatsAsync();
var transport = stats.OfType<RTCTransportStats>().Single();
var pair = (RTCIceCandidatePairStats)stats[transport.SelectedCandidatePairId!];
var local = (RTCIceCandidateStats)stats[pair.LocalCandidateId];
var remote = (RTCIceCandidateStats)stats[pair.RemoteCandidateId];
Console.WriteLine();
Console.WriteLine($"selected pair  {local.Address}:{local.Port} ({local.CandidateType}) <-> {remote.Address}:{remote.Port} ({remote.CandidateType}), nominated {pair.Nominated}");
Console.WriteLine($"round trip     {(pair.CurrentRoundTripTime is { } rtt ? $"{rtt * 1000:0.000} ms (STUN)" : "not measured yet")}");
Console.WriteLine($"DTLS           {transport.TlsVersion} {transport.DtlsCipher}, alice is the DTLS {transport.DtlsRole}");
Console.WriteLine();

// The call runs for a few seconds; a bulk transfer on a reliable channel shares the connection
// with it (SendAsync keeps the send buffer bounded). Once a second: what Bob decodes, from his
// getStats and his frame counters, beside what the data channel moved.
var bulk = alice.CreateDataChannel("bulk");
await WhenOpen(bulk);
long total = transferMiB * 1024L * 1024;
var transfer = Stopwatch.StartNew();
var transferTask = Task.Run(async () =>
{
    var block = new byte[64 * 1024];
    for (long sent = 0; sent < total; sent += block.Length)
    {
        await bulk.SendAsync(block);
    }

    await transferDone.Task.WaitAsync(TimeSpan.FromSeconds(120));
    transfer.Stop();
});

Console.WriteLine("  time | video at bob                    | audio at bob          | data channel 'bulk' at bob");
Console.WriteLine("       | frames/s  size      bitrate     | frames/s  level       | received         rate");
var tick = Stopwatch.StartNew();
var last = await Snapshot();
using var everySecond = new PeriodicTimer(TimeSpan.FromSeconds(1));
while (tick.Elapsed < TimeSpan.FromSeconds(callSeconds - 0.5) || !transferTask.IsCompleted)
{
    await everySecond.WaitForNextTickAsync();
    var now = await Snapshot();
    var inVideo = now.Stats.OfType<RTCInboundRtpStreamStats>().FirstOrDefault(s => s.Kind == "video");
    var inAudio = now.Stats.OfType<RTCInboundRtpStreamStats>().FirstOrDefault(s => s.Kind == "audio");
    double dt = (now.At - last.At).TotalSeconds;
    string videoColumn = inVideo is null
        ? "-".PadRight(31)
        : $"{(now.VideoDecoded - last.VideoDecoded) / dt,6:0.0}    {$"{inVideo.FrameWidth}x{inVideo.FrameHeight}",-9} {(now.VideoBytes - last.VideoBytes) * 8 / dt / 1e6,5:0.00} Mbit/s";
    string level = inAudio?.AudioLevel is { } l and > 0 ? $"{l:0.00} ({20 * Math.Log10(l):0} dBov)" : "-";
    Console.WriteLine($"{now.At.TotalSeconds,5:0.0}s | {videoColumn} | {(now.AudioFrames - last.AudioFrames) / dt,6:0.0}    {level,-11} | " +
        $"{now.Bulk / 1048576.0,6:0.0} of {transferMiB} MiB {(now.Bulk - last.Bulk) / dt / 1e6,6:0.0} MB/s");
    last = now;
}

await transferTask;
Console.WriteLine();

// Bob's view, from his getStats and his counters of frames the tracks delivered.
async Task<Sample> Snapshot()
{
    var stats = await bob.GetStatsAsync();
    var inbound = stats.OfType<RTCInboundRtpStreamStats>().FirstOrDefault(s => s.Kind == "video");
    return new Sample(tick.Elapsed, stats, inbound?.FramesDecoded ?? 0, inbound?.BytesReceived ?? 0,
        Interlocked.Read(ref call.AudioFrames), Interlocked.Read(ref bulkReceived));
}

Console.WriteLine($"transfer       {transferMiB} MiB in {transfer.Elapsed.TotalMilliseconds:0} ms = {total / transfer.Elapsed.TotalSeconds / 1e6:0.0} MB/s, beside the call");

var final = await bob.GetStatsAsync();
foreach (var s in final.OfType<RTCInboundRtpStreamStats>().OrderBy(s => s.Kind))
{
    string codec = s.CodecId is { } id && final.TryGetValue(id, out var c) && c is RTCCodecStats cs ? cs.MimeType : "?";
    Console.WriteLine(s.Kind == "video"
        ? $"video at bob   {codec} {s.FrameWidth}x{s.FrameHeight}: {s.FramesDecoded} frames decoded ({s.KeyFramesDecoded} key), {s.PacketsReceived} packets, {s.PacketsLost} lost, {s.NackCount} NACKs, {s.PliCount} PLIs; {call.VideoFrames} frames seen by the track"
        : $"audio at bob   {codec}: {s.TotalSamplesDuration:0.0} s of audio, energy {s.TotalAudioEnergy:0.000}, {s.PacketsReceived} packets, {s.PacketsLost} lost, {s.ConcealedSamples} samples concealed");
}

foreach (var s in (await alice.GetStatsAsync()).OfType<RTCRemoteInboundRtpStreamStats>().Where(s => s.RoundTripTime is not null).OrderBy(s => s.Kind))
{
    Console.WriteLine($"{s.Kind} RTT      {s.RoundTripTime * 1000:0.000} ms (from Bob's receiver reports)");
}

var channelStats = (await alice.GetStatsAsync()).OfType<RTCDataChannelStats>().OrderBy(s => s.DataChannelIdentifier);
foreach (var s in channelStats)
{
    Console.WriteLine($"channel stats  '{s.Label}': {s.MessagesSent} sent ({s.BytesSent} B), {s.MessagesReceived} received ({s.BytesReceived} B)");
}

var bobClosed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
bob.Sctp!.StateChanged += (_, s) =>
{
    if (s == WebRtc.Client.Sctp.RTCSctpTransportState.Closed)
    {
        bobClosed.TrySetResult();
    }
};
alice.Close();
await bobClosed.Task.WaitAsync(TimeSpan.FromSeconds(10));
Log("bob", "saw alice close the connection");
Console.WriteLine($"Done: alice {alice.ConnectionState}, bob's data channels closed.");
return 0;

static Task WhenOpen(RTCDataChannel channel)
{
    var open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    channel.Open += (_, _) => open.TrySetResult();
    if (channel.ReadyState == RTCDataChannelState.Open)
    {
        open.TrySetResult();
    }

    return open.Task.WaitAsync(TimeSpan.FromSeconds(10));
}

internal sealed class CallCounters
{
    public long VideoFrames;
    public long AudioFrames;
    public int Width;
    public int Height;
}

internal readonly record struct Sample(TimeSpan At, RTCStatsReport Stats, long VideoDecoded, long VideoBytes, long AudioFrames, long Bulk);
