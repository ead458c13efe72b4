// ICE demo: two agents in one process find each other over loopback, nominate a pair and keep
// it alive with consent checks (RFC 7675), printing what happens. Run with ./build.sh run.
using System.Diagnostics;
using System.Net;
using WebRtc.Client.Ice;

var seconds = args.Length > 0 && int.TryParse(args[0], out var s) ? s : 6;
var tuning = new IceAgentTuning { ConsentInterval = TimeSpan.FromSeconds(1) };
var addresses = new List<IPAddress> { IPAddress.Loopback };
if (System.Net.Sockets.Socket.OSSupportsIPv6)
{
    addresses.Add(IPAddress.IPv6Loopback);
}

await using var alice = new IceTransport(new IceTransportOptions { Controlling = true, BindAddresses = addresses, Tuning = tuning });
await using var bob = new IceTransport(new IceTransportOptions { BindAddresses = addresses, Tuning = tuning });
var clock = Stopwatch.StartNew();

void Log(string who, string what) => Console.WriteLine($"[{clock.Elapsed.TotalMilliseconds,7:F1} ms] {who,-5} {what}");

void Wire(string name, IceTransport from, IceTransport to)
{
    from.CandidateGathered += (_, c) =>
    {
        Log(name, $"candidate  {c.Candidate}");
        _ = AddRemoteCandidateAsync(name, to, c);
    };
    from.GatheringStateChanged += (_, state) =>
    {
        Log(name, $"gathering  {state}");
        if (state == RTCIceGatheringState.Complete)
        {
            to.AddRemoteEndOfCandidates();
        }
    };
    from.StateChanged += (_, state) => Log(name, $"state      {state}");
    from.SelectedPairChanged += (_, pair) => Log(name, $"selected   {pair?.ToString() ?? "none"}");
    from.RoleChanged += (_, role) => Log(name, $"role       {role}");
    to.SetRemoteCredentials(from.LocalCredentials.Ufrag, from.LocalCredentials.Pwd);
}

// An event handler cannot await: the task is observed here, so a candidate that fails (an mDNS name
// on a transport being disposed, say) is printed instead of lost in a task nobody looks at.
async Task AddRemoteCandidateAsync(string name, IceTransport to, RTCIceCandidate candidate)
{
    try
    {
        await to.AddRemoteCandidateAsync(candidate);
    }
    catch (Exception ex)
    {
        Log(name, $"candidate  not added: {ex.Message}");
    }
}

Wire("alice", alice, bob);
Wire("bob", bob, alice);

var connected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
alice.StateChanged += (_, state) =>
{
    if (state == RTCIceTransportState.Completed)
    {
        connected.TrySetResult();
    }
};

await alice.GatherAsync();
await bob.GatherAsync();
await connected.Task.WaitAsync(TimeSpan.FromSeconds(10));
Log("alice", $"connected after {clock.Elapsed.TotalMilliseconds:F1} ms");

// A datagram each way through the RFC 7983 demultiplexer (first byte 20-63 is DTLS).
var echoed = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
bob.Dtls.Receiver = d => bob.Dtls.TrySend(d);
alice.Dtls.Receiver = d => echoed.TrySetResult(d.Length);
alice.Dtls.TrySend([22, 0xFE, 0xFD, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
Log("alice", $"datagram echoed by bob: {await echoed.Task.WaitAsync(TimeSpan.FromSeconds(5))} bytes");

Console.WriteLine($"Consent checks every ~{tuning.ConsentInterval.TotalSeconds:F0} s for {seconds} s:");
int lastResponses = -1;
for (var until = clock.Elapsed + TimeSpan.FromSeconds(seconds); clock.Elapsed < until;)
{
    await Task.Delay(250);
    if (alice.SelectedPair is { } pair && pair.ResponsesReceived != lastResponses)
    {
        lastResponses = pair.ResponsesReceived;
        Log("alice", $"consent    rtt {pair.CurrentRoundTripTime?.TotalMilliseconds:F3} ms, {pair.RequestsSent} requests / {pair.ResponsesReceived} responses, state {alice.State}");
    }
}

Console.WriteLine($"Done: alice {alice.State}, bob {bob.State}, pair {alice.SelectedPair}");
return alice.State == RTCIceTransportState.Completed ? 0 : 1;
