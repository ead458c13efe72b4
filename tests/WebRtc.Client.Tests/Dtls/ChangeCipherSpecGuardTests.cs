using WebRtc.Client.Dtls;

namespace WebRtc.Client.Tests.Dtls;

/// <summary>
/// The DTLS server's hold on a ChangeCipherSpec that overtakes the client's CertificateVerify
/// (RFC 6347 §4.1: records a receiver cannot use yet may be buffered).
/// </summary>
public class ChangeCipherSpecGuardTests
{
    private const byte Certificate = 11, ClientKeyExchange = 16, CertificateVerify = 15;

    // RFC 6347 §4.1 record header: type, version FE FD, epoch, 48-bit sequence number, length.
    private static byte[] Record(byte type, ushort epoch, byte[] body)
    {
        var record = new byte[13 + body.Length];
        record[0] = type;
        record[1] = 0xFE;
        record[2] = 0xFD;
        record[3] = (byte)(epoch >> 8);
        record[4] = (byte)epoch;
        record[11] = (byte)(body.Length >> 8);
        record[12] = (byte)body.Length;
        body.CopyTo(record, 13);
        return record;
    }

    // RFC 6347 §4.2.2 handshake header: type, length, message_seq, fragment_offset, fragment_length.
    private static byte[] Fragment(byte messageType, ushort seq, int length, int offset, int fragmentLength)
    {
        var message = new byte[12 + fragmentLength];
        message[0] = messageType;
        WriteUInt24(message.AsSpan(1), length);
        message[4] = (byte)(seq >> 8);
        message[5] = (byte)seq;
        WriteUInt24(message.AsSpan(6), offset);
        WriteUInt24(message.AsSpan(9), fragmentLength);
        return message;
    }

    private static void WriteUInt24(Span<byte> span, int value)
    {
        span[0] = (byte)(value >> 16);
        span[1] = (byte)(value >> 8);
        span[2] = (byte)value;
    }

    private static byte[] Handshake(byte messageType, ushort seq, int length) => Record(22, 0, Fragment(messageType, seq, length, 0, length));

    private static readonly byte[] ClientCertificate = Handshake(Certificate, 1, 300);
    private static readonly byte[] KeyExchange = Handshake(ClientKeyExchange, 2, 66);
    private static readonly byte[] Verify = Handshake(CertificateVerify, 3, 74);
    private static readonly byte[] Ccs = Record(20, 0, [1]);
    private static readonly byte[] Finished = Record(22, 1, new byte[40]);

    [Test]
    public void InOrderFlight_AllPasses()
    {
        var guard = new ChangeCipherSpecGuard();
        foreach (var datagram in new[] { ClientCertificate, KeyExchange, Verify, Ccs, Finished })
        {
            Assert.That(guard.MayPass(datagram), Is.True);
        }

        Assert.That(guard.CertificateVerifyComplete, Is.True);
    }

    [Test]
    public void LostCertificateVerify_HoldsTheCcsAndTheFinished_UntilItComes()
    {
        var guard = new ChangeCipherSpecGuard();
        Assert.That(guard.MayPass(ClientCertificate), Is.True);
        Assert.That(guard.MayPass(KeyExchange), Is.True);
        Assert.That(guard.MayPass(Ccs), Is.False, "a CCS before the CertificateVerify waits");
        Assert.That(guard.MayPass(Finished), Is.False, "so does the epoch-1 Finished behind it");
        Assert.That(guard.CertificateVerifyComplete, Is.False);

        Assert.That(guard.MayPass(Verify), Is.True);
        Assert.That(guard.CertificateVerifyComplete, Is.True);
        Assert.That(guard.MayPass(Ccs), Is.True);
        Assert.That(guard.MayPass(Finished), Is.True);
    }

    [Test]
    public void OneDatagramWithTheWholeFlight_Passes_AndOneWithOnlyCcsAndFinished_Waits()
    {
        // Browsers (BoringSSL) pack several records in a datagram.
        Assert.That(new ChangeCipherSpecGuard().MayPass([.. ClientCertificate, .. KeyExchange, .. Verify, .. Ccs, .. Finished]), Is.True);

        var guard = new ChangeCipherSpecGuard();
        Assert.That(guard.MayPass([.. ClientCertificate, .. KeyExchange]), Is.True);
        Assert.That(guard.MayPass([.. Ccs, .. Finished]), Is.False);
        Assert.That(guard.MayPass([.. ClientCertificate, .. KeyExchange, .. Verify, .. Ccs, .. Finished]), Is.True);
    }

    [Test]
    public void SeveralHandshakeMessagesInOneRecord_AreAllRead()
    {
        var guard = new ChangeCipherSpecGuard();
        byte[] body = [.. Fragment(Certificate, 1, 300, 0, 300), .. Fragment(ClientKeyExchange, 2, 66, 0, 66), .. Fragment(CertificateVerify, 3, 74, 0, 74)];
        Assert.That(guard.MayPass(Record(22, 0, body)), Is.True);
        Assert.That(guard.CertificateVerifyComplete, Is.True);
    }

    [Test]
    public void FragmentedCertificateVerify_CountsOnlyWhenEveryByteCame()
    {
        var guard = new ChangeCipherSpecGuard();
        guard.MayPass(ClientCertificate);
        Assert.That(guard.MayPass(Record(22, 0, Fragment(CertificateVerify, 3, 100, 60, 40))), Is.True);
        Assert.That(guard.MayPass(Record(22, 0, Fragment(CertificateVerify, 3, 100, 0, 30))), Is.True);
        Assert.That(guard.CertificateVerifyComplete, Is.False, "bytes 30..60 are missing");
        Assert.That(guard.MayPass(Ccs), Is.False);
        Assert.That(guard.MayPass(Record(22, 0, Fragment(CertificateVerify, 3, 100, 20, 45))), Is.True);
        Assert.That(guard.CertificateVerifyComplete, Is.True);
        Assert.That(guard.MayPass(Ccs), Is.True);
    }

    [Test]
    public void BeforeAnyClientCertificate_ACcsPasses()
    {
        // Without the Certificate the server cannot have processed the key exchange: the CCS changes nothing.
        var guard = new ChangeCipherSpecGuard();
        Assert.That(guard.MayPass(KeyExchange), Is.True);
        Assert.That(guard.MayPass(Ccs), Is.True);
        Assert.That(guard.MayPass(Handshake(Certificate, 1, 3)), Is.True, "an empty certificate_list");
        Assert.That(guard.MayPass(Ccs), Is.True, "an empty certificate has no CertificateVerify to wait for");
    }

    [Test]
    public void TruncatedAndHostileDatagrams_NeverThrow()
    {
        var random = new Random(1);
        byte[][] seeds = [ClientCertificate, KeyExchange, Verify, Ccs, Finished, [.. ClientCertificate, .. Verify, .. Ccs]];
        var guard = new ChangeCipherSpecGuard();
        for (int i = 0; i < 100_000; i++)
        {
            byte[] datagram;
            if (i % 3 == 0)
            {
                datagram = new byte[random.Next(0, 80)];
                random.NextBytes(datagram);
            }
            else
            {
                datagram = (byte[])seeds[random.Next(seeds.Length)].Clone();
                for (int flips = random.Next(1, 6); flips > 0 && datagram.Length > 0; flips--)
                {
                    datagram[random.Next(datagram.Length)] = (byte)random.Next(256);
                }

                datagram = datagram[..random.Next(datagram.Length + 1)];
            }

            Assert.DoesNotThrow(() => guard.MayPass(datagram));
            if (i % 1000 == 0)
            {
                guard = new ChangeCipherSpecGuard();
            }
        }
    }
}
