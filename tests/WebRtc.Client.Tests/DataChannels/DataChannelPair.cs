using WebRtc.Client.DataChannels;
using WebRtc.Client.Sctp;

namespace WebRtc.Client.Tests.DataChannels;

/// <summary>Two SCTP transports with data-channel controllers over a <see cref="QueuedDatagramLink"/>.</summary>
internal sealed class DataChannelPair : IAsyncDisposable
{
    public DataChannelPair(int seed = 1, SctpAssociationOptions? association = null, DataChannelOptions? options = null)
    {
        Link = new QueuedDatagramLink(seed);
        var assoc = association ?? new SctpAssociationOptions { RtoMin = TimeSpan.FromMilliseconds(50), RtoInitial = TimeSpan.FromMilliseconds(200) };
        SctpA = new SctpTransport(Link.A, new SctpTransportOptions { Association = assoc });
        SctpB = new SctpTransport(Link.B, new SctpTransportOptions { Association = assoc });
        A = new DataChannelController(SctpA, isDtlsClient: true, options);
        B = new DataChannelController(SctpB, isDtlsClient: false, options);
    }

    public QueuedDatagramLink Link { get; }

    public SctpTransport SctpA { get; }

    public SctpTransport SctpB { get; }

    public DataChannelController A { get; }

    public DataChannelController B { get; }

    public async Task ConnectAsync(bool bothStart = true)
    {
        var a = SctpA.ConnectAsync();
        if (bothStart)
        {
            SctpB.Start();
        }

        await a.WaitAsync(TimeSpan.FromSeconds(10));
        await WaitUntil(() => SctpB.State == RTCSctpTransportState.Connected);
    }

    public static async Task WaitUntil(Func<bool> condition, double seconds = 10)
    {
        var end = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            if (DateTime.UtcNow > end)
            {
                Assert.Fail("timed out waiting for a condition");
            }

            await Task.Delay(5);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await SctpA.DisposeAsync();
        await SctpB.DisposeAsync();
        await Link.DisposeAsync();
    }
}
