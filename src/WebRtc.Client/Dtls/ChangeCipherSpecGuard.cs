using System.Buffers.Binary;

namespace WebRtc.Client.Dtls;

/// <summary>
/// Keeps a DTLS server's ChangeCipherSpec from overtaking the client's CertificateVerify.
/// </summary>
/// <remarks>
/// BouncyCastle's record layer moves to the pending read epoch on any ChangeCipherSpec once it has
/// processed the ClientKeyExchange. When the client's CertificateVerify (sent between the two)
/// is lost and its CCS arrives, the server moves to epoch 1; the retransmitted CertificateVerify is
/// an epoch-0 record it no longer reads, and the handshake stalls until it times out. WebRTC always
/// authenticates the client, so this flight always has a CertificateVerify: with 10% loss about
/// one handshake in fifteen hung. RFC 6347 §4.1 lets a receiver discard or buffer records it cannot
/// use yet; the adapter buffers the CCS and the later-epoch records behind it until the
/// CertificateVerify has been queued, then releases them in order.
/// This type only reads datagrams and decides; it is sans-IO and not thread-safe (the adapter
/// calls it under its lock).
/// </remarks>
internal sealed class ChangeCipherSpecGuard
{
    private const int RecordHeaderLength = DtlsAeadRecordLayer.HeaderLength;
    private const int HandshakeHeaderLength = 12;
    private const byte ChangeCipherSpec = DtlsAeadRecordLayer.ChangeCipherSpec;
    private const byte Handshake = DtlsAeadRecordLayer.Handshake;
    private const byte Certificate = 11;
    private const byte CertificateVerify = 15;

    // Byte ranges of the CertificateVerify body seen so far (it may come in fragments).
    private readonly List<(int Start, int End)> _verifyFragments = [];
    private bool _clientCertificateSeen;

    /// <summary>True once a whole CertificateVerify has passed: from then on everything passes.</summary>
    public bool CertificateVerifyComplete { get; private set; }

    /// <summary>
    /// Reads one datagram from the client (records in order) and says whether it may go to the
    /// handshake now; false means hold it until <see cref="CertificateVerifyComplete"/>.
    /// </summary>
    public bool MayPass(ReadOnlySpan<byte> datagram)
    {
        if (CertificateVerifyComplete)
        {
            return true;
        }

        for (int offset = 0; offset + RecordHeaderLength <= datagram.Length;)
        {
            byte type = datagram[offset];
            ushort epoch = BinaryPrimitives.ReadUInt16BigEndian(datagram[(offset + 3)..]);
            int length = BinaryPrimitives.ReadUInt16BigEndian(datagram[(offset + 11)..]);
            var body = datagram.Slice(offset + RecordHeaderLength, Math.Min(length, datagram.Length - offset - RecordHeaderLength));
            offset += RecordHeaderLength + length;

            if (epoch == 0 && type == Handshake)
            {
                NoteHandshake(body);
                continue;
            }

            // A CCS or a record of a later epoch (the Finished) before the CertificateVerify: hold
            // the datagram, unless no client certificate came yet (then the server has not got as far
            // as the ClientKeyExchange either, and a CCS changes nothing in it).
            if ((type == ChangeCipherSpec || epoch > 0) && _clientCertificateSeen && !CertificateVerifyComplete)
            {
                return false;
            }
        }

        return true;
    }

    // One epoch-0 handshake record: possibly several messages or fragments.
    private void NoteHandshake(ReadOnlySpan<byte> record)
    {
        while (record.Length >= HandshakeHeaderLength)
        {
            byte messageType = record[0];
            int messageLength = ReadUInt24(record[1..]);
            int fragmentOffset = ReadUInt24(record[6..]);
            int fragmentLength = ReadUInt24(record[9..]);
            if (fragmentLength > record.Length - HandshakeHeaderLength)
            {
                return; // truncated: not a fragment we can count
            }

            if (messageType == Certificate && messageLength > 3)
            {
                _clientCertificateSeen = true; // a certificate_list that is not empty
            }
            else if (messageType == CertificateVerify && fragmentOffset + fragmentLength <= messageLength)
            {
                NoteVerifyFragment(fragmentOffset, fragmentOffset + fragmentLength, messageLength);
            }

            record = record[(HandshakeHeaderLength + fragmentLength)..];
        }
    }

    private void NoteVerifyFragment(int start, int end, int messageLength)
    {
        if (_verifyFragments.Count >= 64)
        {
            return; // nobody fragments a signature this finely; do not let a peer grow the list
        }

        _verifyFragments.Add((start, end));
        _verifyFragments.Sort();
        int covered = 0;
        foreach (var (fragmentStart, fragmentEnd) in _verifyFragments)
        {
            if (fragmentStart > covered)
            {
                break;
            }

            covered = Math.Max(covered, fragmentEnd);
        }

        CertificateVerifyComplete = covered >= messageLength && messageLength > 0;
    }

    private static int ReadUInt24(ReadOnlySpan<byte> bytes) => (bytes[0] << 16) | (bytes[1] << 8) | bytes[2];
}
