using WebRtc.Client.Stun;

namespace WebRtc.Client.Tests.Stun;

/// <summary>Message type encoding: the method and class bits interleaved (RFC 8489 §5).</summary>
public class StunMessageTypeTests
{
    // RFC 8489 §5 (Figure 3) and the values RFC 8489 §18.2 / RFC 8656 §17 give.
    [TestCase(StunMethod.Binding, StunClass.Request, 0x0001)]
    [TestCase(StunMethod.Binding, StunClass.Indication, 0x0011)]
    [TestCase(StunMethod.Binding, StunClass.SuccessResponse, 0x0101)]
    [TestCase(StunMethod.Binding, StunClass.ErrorResponse, 0x0111)]
    [TestCase(StunMethod.Allocate, StunClass.Request, 0x0003)]
    [TestCase(StunMethod.Allocate, StunClass.SuccessResponse, 0x0103)]
    [TestCase(StunMethod.Allocate, StunClass.ErrorResponse, 0x0113)]
    [TestCase(StunMethod.Refresh, StunClass.Request, 0x0004)]
    [TestCase(StunMethod.Send, StunClass.Indication, 0x0016)]
    [TestCase(StunMethod.Data, StunClass.Indication, 0x0017)]
    [TestCase(StunMethod.CreatePermission, StunClass.SuccessResponse, 0x0108)]
    [TestCase(StunMethod.ChannelBind, StunClass.ErrorResponse, 0x0119)]
    public void KnownValues(StunMethod method, StunClass cls, int value)
    {
        var type = new StunMessageType(method, cls);
        Assert.That(type.Value, Is.EqualTo((ushort)value));
        Assert.That(StunMessageType.FromValue((ushort)value), Is.EqualTo(type));
    }

    // RFC 8489 §5: every 12-bit method and 2-bit class survives the interleaving.
    [Test]
    public void AllMethodsAndClasses_RoundTrip()
    {
        var seen = new HashSet<ushort>();
        for (int method = 0; method < 0x1000; method++)
        {
            for (int cls = 0; cls < 4; cls++)
            {
                var type = new StunMessageType((StunMethod)method, (StunClass)cls);
                ushort value = type.Value;
                Assert.That(value & 0xC000, Is.Zero);
                Assert.That(StunMessageType.FromValue(value), Is.EqualTo(type));
                Assert.That(seen.Add(value), Is.True);
            }
        }

        Assert.That(seen, Has.Count.EqualTo(0x4000));
    }

    [Test]
    public void WrittenAndReadTypes_Agree()
    {
        foreach (StunMethod method in Enum.GetValues<StunMethod>())
        {
            foreach (StunClass cls in Enum.GetValues<StunClass>())
            {
                var type = new StunMessageType(method, cls);
                var message = new StunMessage(type);
                Assert.That(StunReader.TryParse(message.ToArray(), out var reader, out _), Is.True);
                Assert.That(reader.Type, Is.EqualTo(type));
                Assert.That(reader.Type.IsResponse, Is.EqualTo(cls is StunClass.SuccessResponse or StunClass.ErrorResponse));
            }
        }

        Assert.That(StunMessageType.BindingRequest.ToSuccess(), Is.EqualTo(StunMessageType.BindingSuccess));
        Assert.That(StunMessageType.BindingRequest.ToError(), Is.EqualTo(StunMessageType.BindingError));
    }
}
