using WebRtc.Client.Sctp;

namespace WebRtc.Client.Tests.Sctp;

public class SctpAssociationTests
{
    private static byte[] Bytes(int length, int seed)
    {
        var b = new byte[length];
        new Random(seed).NextBytes(b);
        return b;
    }

    [Test]
    public void Handshake_EstablishesBothSides()
    {
        var link = new SctpTestLink();
        link.Connect();
        Assert.That(link.A.PeerSupportsPartialReliability && link.B.PeerSupportsStreamReset, Is.True);
        Assert.That(link.A.OutboundStreams, Is.EqualTo(ushort.MaxValue));
    }

    [Test]
    public void SimultaneousOpen_Converges()
    {
        // RFC 9260 §5.2.1: both sides send INIT at once.
        var link = new SctpTestLink(seed: 7);
        link.Connect(simultaneous: true);
        link.A.Send(1, 53, Bytes(10, 1), default, link.Now);
        link.B.Send(2, 53, Bytes(20, 2), default, link.Now);
        Assert.That(link.RunUntil(() => link.ReceivedByA.Count == 1 && link.ReceivedByB.Count == 1), Is.True);
        Assert.That(link.ReceivedByB[0].Data, Is.EqualTo(Bytes(10, 1)));
        Assert.That(link.ReceivedByA[0].Data, Is.EqualTo(Bytes(20, 2)));
    }

    [Test]
    public void LargeMessage_IsFragmentedAndReassembled()
    {
        var link = new SctpTestLink();
        link.Connect();
        var big = Bytes(256 * 1024, 3);
        link.A.Send(0, 53, big, default, link.Now);
        Assert.That(link.RunUntil(() => link.ReceivedByB.Count == 1), Is.True);
        Assert.That(link.ReceivedByB[0].Data, Is.EqualTo(big));
    }
}
