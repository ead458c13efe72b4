using WebRtc.Client.DataChannels;
using WebRtc.Client.Dtls;
using WebRtc.Client.Signaling;
using System.Net;

namespace WebRtc.Client.IntegrationTests.PeerConnection;

/// <summary>What calls in progress see when the connection is disposed under them.</summary>
public class PeerConnectionLifetimeTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    private static RTCPeerConnection NewPeer() =>
        new(new RTCConfiguration(), new RTCPeerConnectionOptions { BindAddresses = [IPAddress.Loopback] });

    [Test]
    public async Task DisposeAsync_WhileAnOperationRuns_TheQueuedOnesFailWithInvalidState_NothingHangs()
    {
        var pc = NewPeer();
        pc.CreateDataChannel("x");

        // A slow SignalingStateChange handler holds SetLocalDescription on the operations chain.
        using var inHandler = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        pc.SignalingStateChange += (_, _) =>
        {
            inHandler.Set();
            release.Wait(Timeout);
        };
        var running = Task.Run(() => pc.SetLocalDescriptionAsync());
        Assert.That(inHandler.Wait(Timeout), Is.True);
        var queued = pc.CreateOfferAsync();

        await pc.DisposeAsync().AsTask().WaitAsync(Timeout);
        release.Set();

        // The running operation had applied its offer: it completes (no ObjectDisposedException
        // from the chain); the queued one sees the closed connection (and does not wait forever).
        await Assert.ThatAsync(() => running.WaitAsync(Timeout), Throws.Nothing);
        await Assert.ThatAsync(() => queued.WaitAsync(Timeout), Throws.TypeOf<InvalidStateException>());
        await Assert.ThatAsync(() => pc.CreateAnswerAsync().WaitAsync(Timeout), Throws.TypeOf<InvalidStateException>());
    }

    [Test]
    public async Task SctpThatCannotStart_ClosesTheChannelsWithAnError_InsteadOfLeavingThemConnecting()
    {
        // DTLS allows a 256-byte MTU (on both sides, or the handshake stalls), but then a DTLS record
        // carries less than the smallest SCTP packet (256 bytes): ICE and DTLS connect, and the SCTP
        // transport cannot be made. Before, that exception was lost in a task nobody observed.
        var options = new RTCPeerConnectionOptions { BindAddresses = [IPAddress.Loopback], Dtls = new DtlsTransportOptions { Mtu = 256 } };
        await using var a = new RTCPeerConnection(new RTCConfiguration(), options);
        await using var b = new RTCPeerConnection(new RTCConfiguration(), options);
        var (sa, sb) = InMemorySignalingChannel.CreatePair();
        await using var na = PerfectNegotiator.Attach(a, sa, polite: false);
        await using var nb = PerfectNegotiator.Attach(b, sb, polite: true);
        var channel = a.CreateDataChannel("x");
        var error = new TaskCompletionSource<RTCException>(TaskCreationOptions.RunContinuationsAsynchronously);
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        channel.Error += (_, e) => error.TrySetResult(e.Error);
        channel.Close += (_, _) => closed.TrySetResult();

        Assert.That(await error.Task.WaitAsync(Timeout), Is.TypeOf<OperationErrorException>());
        await closed.Task.WaitAsync(Timeout);
        Assert.That(channel.ReadyState, Is.EqualTo(RTCDataChannelState.Closed));
    }
}
