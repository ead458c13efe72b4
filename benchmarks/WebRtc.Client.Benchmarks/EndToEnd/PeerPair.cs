using System.Net;
using WebRtc.Client.DataChannels;
using WebRtc.Client.Dtls;
using WebRtc.Client.Ice;
using WebRtc.Client.Sctp;

namespace WebRtc.Client.Benchmarks.EndToEnd;

/// <summary>
/// Two endpoints in one process on real loopback sockets, ICE + DTLS + SCTP + data channels
/// wired by hand (no SDP yet): what the harnesses measure.
/// </summary>
internal sealed class PeerPair : IAsyncDisposable
{
    private PeerPair(IceTransport iceA, IceTransport iceB, DtlsTransport dtlsA, DtlsTransport dtlsB, SctpTransport sctpA, SctpTransport sctpB)
    {
        IceA = iceA;
        IceB = iceB;
        DtlsA = dtlsA;
        DtlsB = dtlsB;
        SctpA = sctpA;
        SctpB = sctpB;
        A = new DataChannelController(sctpA, isDtlsClient: false);
        B = new DataChannelController(sctpB, isDtlsClient: true);
    }

    public IceTransport IceA { get; }

    public IceTransport IceB { get; }

    public DtlsTransport DtlsA { get; }

    public DtlsTransport DtlsB { get; }

    public SctpTransport SctpA { get; }

    public SctpTransport SctpB { get; }

    /// <summary>The offerer side: ICE controlling, DTLS server.</summary>
    public DataChannelController A { get; }

    /// <summary>The answerer side: ICE controlled, DTLS client.</summary>
    public DataChannelController B { get; }

    public static async Task<PeerPair> ConnectAsync(RTCCertificate certificateA, RTCCertificate certificateB, CancellationToken cancellationToken = default, DtlsTransportOptions? dtls = null)
    {
        var iceA = new IceTransport(new IceTransportOptions { Controlling = true, BindAddresses = [IPAddress.Loopback] });
        var iceB = new IceTransport(new IceTransportOptions { BindAddresses = [IPAddress.Loopback] });
        var connected = Task.WhenAll(Connected(iceA), Connected(iceB));
        Wire(iceA, iceB);
        Wire(iceB, iceA);
        await iceA.GatherAsync(cancellationToken);
        await iceB.GatherAsync(cancellationToken);
        await connected.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken);

        var dtlsA = new DtlsTransport(iceA.Dtls, certificateA, dtls);
        var dtlsB = new DtlsTransport(iceB.Dtls, certificateB, dtls);
        await Task.WhenAll(
            dtlsA.StartAsync(DtlsRole.Server, certificateB.GetFingerprint("sha-256"), cancellationToken),
            dtlsB.StartAsync(DtlsRole.Client, certificateA.GetFingerprint("sha-256"), cancellationToken)).WaitAsync(TimeSpan.FromSeconds(10), cancellationToken);

        var sctpA = new SctpTransport(dtlsA);
        var sctpB = new SctpTransport(dtlsB);
        var pair = new PeerPair(iceA, iceB, dtlsA, dtlsB, sctpA, sctpB);
        sctpA.Start();
        await sctpB.ConnectAsync(cancellationToken).WaitAsync(TimeSpan.FromSeconds(10), cancellationToken);
        return pair;
    }

    /// <summary>Opens a channel from A and returns both ends once B has it.</summary>
    public async Task<(RTCDataChannel Local, RTCDataChannel Remote)> OpenChannelAsync(string label, RTCDataChannelInit? init = null)
    {
        var remote = new TaskCompletionSource<RTCDataChannel>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnChannel(object? sender, RTCDataChannelEventArgs e)
        {
            if (e.Channel.Label == label)
            {
                remote.TrySetResult(e.Channel);
            }
        }

        B.DataChannel += OnChannel;
        var local = A.CreateDataChannel(label, init);
        var channel = await remote.Task.WaitAsync(TimeSpan.FromSeconds(10));
        B.DataChannel -= OnChannel;
        return (local, channel);
    }

    public async ValueTask DisposeAsync()
    {
        await SctpA.DisposeAsync();
        await SctpB.DisposeAsync();
        await DtlsA.DisposeAsync();
        await DtlsB.DisposeAsync();
        await IceA.DisposeAsync();
        await IceB.DisposeAsync();
    }

    private static void Wire(IceTransport from, IceTransport to)
    {
        from.CandidateGathered += (_, c) => _ = to.AddRemoteCandidateAsync(c);
        from.GatheringStateChanged += (_, s) =>
        {
            if (s == RTCIceGatheringState.Complete)
            {
                to.AddRemoteEndOfCandidates();
            }
        };
        to.SetRemoteCredentials(from.LocalCredentials.Ufrag, from.LocalCredentials.Pwd);
    }

    private static Task Connected(IceTransport transport)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        transport.SelectedPairChanged += (_, pair) =>
        {
            if (pair is not null)
            {
                done.TrySetResult();
            }
        };
        return done.Task;
    }
}
