using System.Diagnostics;
using System.Net;
using WebRtc.Client;
using WebRtc.Client.DataChannels;
using WebRtc.Client.Signaling;

// Two peers in one process, connected over 127.0.0.1 through an in-memory signaling channel
// with the W3C perfect-negotiation pattern: the same code would run over a WebSocket.
var clock = Stopwatch.StartNew();
void Log(string who, string what) => Console.WriteLine($"[{clock.Elapsed.TotalMilliseconds,8:0.0} ms] {who,-5} {what}");

int transferMiB = args.Length > 0 && int.TryParse(args[0], out var mib) ? mib : 64;
var options = new RTCPeerConnectionOptions { BindAddresses = [IPAddress.Loopback] };
await using var alice = new RTCPeerConnection(new RTCConfiguration(), options);
await using var bob = new RTCPeerConnection(new RTCConfiguration(), options);
foreach (var (name, pc) in new[] { ("alice", alice), ("bob", bob) })
{
    pc.SignalingStateChange += (_, s) => Log(name, $"signaling   {s}");
    pc.IceGatheringStateChange += (_, s) => Log(name, $"gathering   {s}");
    pc.IceConnectionStateChange += (_, s) => Log(name, $"ice         {s}");
    pc.ConnectionStateChange += (_, s) => Log(name, $"connection  {s}");
}

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

// A short bulk transfer on a reliable channel, with SendAsync keeping the send buffer bounded.
var bulk = alice.CreateDataChannel("bulk");
await WhenOpen(bulk);
var block = new byte[64 * 1024];
long total = transferMiB * 1024L * 1024;
var transfer = Stopwatch.StartNew();
for (long sent = 0; sent < total; sent += block.Length)
{
    await bulk.SendAsync(block);
    if ((sent / block.Length) % 64 == 0)
    {
        Progress(Interlocked.Read(ref bulkReceived), total, transfer.Elapsed);
    }
}

await transferDone.Task.WaitAsync(TimeSpan.FromSeconds(60));
Progress(total, total, transfer.Elapsed);
Console.WriteLine();
Console.WriteLine($"transfer       {transferMiB} MiB in {transfer.Elapsed.TotalMilliseconds:0} ms = {total / transfer.Elapsed.TotalSeconds / 1e6:0.0} MB/s");

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

static void Progress(long done, long total, TimeSpan elapsed)
{
    const int width = 40;
    int filled = (int)(width * done / total);
    double rate = elapsed.TotalSeconds > 0 ? done / elapsed.TotalSeconds / 1e6 : 0;
    Console.Write($"\rtransfer       [{new string('#', filled)}{new string('.', width - filled)}] {done * 100 / total,3}% {rate,6:0.0} MB/s");
}
