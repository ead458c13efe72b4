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
}
