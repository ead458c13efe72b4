using WebRtc.Client.Sctp;

namespace WebRtc.Client.Tests.Sctp;

public class SctpScratchTests
{
    [Test]
    public void Debug()
    {
        var link = new SctpTestLink(2) { Delay = TimeSpan.FromMilliseconds(10), Jitter = TimeSpan.FromMilliseconds(1) };
        link.Connect();
        link.Loss = 0.05; link.Duplicate = 0.05; link.Reorder = 0.1;
        var random = new Random(2);
        int sent = 0;
        string lastA = "", lastB = "";
        link.RunUntil(() =>
        {
            if (link.A.State != SctpAssociationState.Established) return true;
            lastA = link.A.DescribeState(); lastB = link.B.DescribeState();
            while (sent < 10000 && link.A.BufferedAmount < 2 << 20)
            {
                int size = (int)Math.Min(256 * 1024, Math.Exp(random.NextDouble() * Math.Log(256 * 1024)));
                link.A.Send((ushort)(1 + sent % 4), (uint)sent, new byte[size], (sent % 4) switch { 1 => new SctpSendOptions { Unordered = true }, 2 => new SctpSendOptions { MaxRetransmits = 1 }, 3 => new SctpSendOptions { Unordered = true, Lifetime = TimeSpan.FromSeconds(3) }, _ => default }, link.Now);
                sent++;
            }
            return sent == 10000 && link.A.BufferedAmount == 0 && link.A.FlightSize == 0;
        });
        TestContext.Out.WriteLine("A: " + lastA);
        TestContext.Out.WriteLine("B: " + lastB);
        TestContext.Out.WriteLine("A now: " + link.A.DescribeState() + " " + link.A.CloseReason);
    }
}
