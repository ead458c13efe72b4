using System.Buffers.Binary;
using System.Security.Cryptography;
using Org.BouncyCastle.Tls;

namespace WebRtc.Client.Dtls;

/// <summary>
/// Application-data records of an established DTLS 1.2 AES-GCM session (RFC 6347 §4.1,
/// RFC 5288), protected with .NET's <see cref="AesGcm"/> instead of BouncyCastle's record layer.
/// BouncyCastle still runs the handshake and every other record type; this takes the hot path:
/// no allocation, no hop to the DTLS thread, and AES-NI/PCLMUL through the platform.
/// </summary>
internal sealed class DtlsAeadRecordLayer : IDisposable
{
    public const int HeaderLength = 13;
    public const int ExplicitNonceLength = 8;
    public const int TagLength = 16;
    public const int Overhead = HeaderLength + ExplicitNonceLength + TagLength;
    public const byte ChangeCipherSpec = 20;
    public const byte Alert = 21;
    public const byte Handshake = 22;
    public const byte ApplicationData = 23;
    private const ushort Epoch = 1; // the one epoch a WebRTC session has after its single handshake

    // BouncyCastle numbers its own epoch-1 records from 0 (Finished, retransmissions, alerts).
    // Ours start far above, so no (key, nonce) pair can ever be used twice.
    private const ulong FirstSequence = 1UL << 40;

    private readonly AesGcm _write;
    private readonly AesGcm _read;
    private readonly byte[] _writeIv;
    private readonly byte[] _readIv;
    private ulong _nextSequence = FirstSequence;

    // RFC 6347 §4.1.2.6 anti-replay window.
    private ulong _highestSequence;
    private ulong _window;
    private bool _anyReceived;

    private DtlsAeadRecordLayer(byte[] writeKey, byte[] writeIv, byte[] readKey, byte[] readIv)
    {
        _write = new AesGcm(writeKey, TagLength);
        _read = new AesGcm(readKey, TagLength);
        _writeIv = writeIv;
        _readIv = readIv;
    }

    /// <summary>Records dropped: failed authentication, replayed, or malformed.</summary>
    public long Rejected { get; private set; }

    /// <summary>
    /// Derives the record keys from the finished handshake (RFC 5246 §6.3 key expansion) for the
    /// AES-GCM suites; null for any other suite, which then stays with BouncyCastle.
    /// </summary>
    public static DtlsAeadRecordLayer? TryCreate(TlsContext context)
    {
        var parameters = context.SecurityParameters;
        int keyLength = parameters.CipherSuite switch
        {
            CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 or CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 => 16,
            CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 or CipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 => 32,
            _ => 0,
        };
        if (keyLength == 0 || parameters.MasterSecret is null)
        {
            return null;
        }

        const int fixedIvLength = 4;
        var seed = new byte[parameters.ServerRandom.Length + parameters.ClientRandom.Length];
        parameters.ServerRandom.CopyTo(seed, 0);
        parameters.ClientRandom.CopyTo(seed, parameters.ServerRandom.Length);
        var block = parameters.MasterSecret.DeriveUsingPrf(parameters.PrfAlgorithm, ExporterLabel.key_expansion, seed, (2 * keyLength) + (2 * fixedIvLength)).Extract();

        // key_block = client_write_key, server_write_key, client_write_IV, server_write_IV.
        var clientKey = block.AsSpan(0, keyLength).ToArray();
        var serverKey = block.AsSpan(keyLength, keyLength).ToArray();
        var clientIv = block.AsSpan(2 * keyLength, fixedIvLength).ToArray();
        var serverIv = block.AsSpan((2 * keyLength) + fixedIvLength, fixedIvLength).ToArray();
        CryptographicOperations.ZeroMemory(block);
        return context.IsServer
            ? new DtlsAeadRecordLayer(serverKey, serverIv, clientKey, clientIv)
            : new DtlsAeadRecordLayer(clientKey, clientIv, serverKey, serverIv);
    }

    /// <summary>True when <paramref name="datagram"/> is exactly one epoch-1 application-data record: ours to open.</summary>
    public static bool IsSingleApplicationRecord(ReadOnlySpan<byte> datagram) =>
        datagram.Length >= HeaderLength + ExplicitNonceLength + TagLength
        && datagram[0] == ApplicationData
        && datagram[1] == 0xFE && datagram[2] == 0xFD
        && BinaryPrimitives.ReadUInt16BigEndian(datagram[3..]) == Epoch
        && BinaryPrimitives.ReadUInt16BigEndian(datagram[11..]) == datagram.Length - HeaderLength;

    /// <summary>Seals <paramref name="plaintext"/> into one record in <paramref name="record"/>; not thread-safe (callers serialize sends).</summary>
    public int Protect(byte contentType, ReadOnlySpan<byte> plaintext, Span<byte> record)
    {
        ulong sequence = _nextSequence++;
        int length = ExplicitNonceLength + plaintext.Length + TagLength;
        record[0] = contentType;
        record[1] = 0xFE;
        record[2] = 0xFD;
        BinaryPrimitives.WriteUInt16BigEndian(record[3..], Epoch);
        WriteUInt48(record[5..], sequence);
        BinaryPrimitives.WriteUInt16BigEndian(record[11..], (ushort)length);

        // The explicit nonce is the epoch and sequence number, as BouncyCastle and BoringSSL do.
        var explicitNonce = record.Slice(HeaderLength, ExplicitNonceLength);
        record.Slice(3, 8).CopyTo(explicitNonce);
        Span<byte> nonce = stackalloc byte[12];
        _writeIv.CopyTo(nonce);
        explicitNonce.CopyTo(nonce[4..]);
        Span<byte> aad = stackalloc byte[13];
        WriteAdditionalData(aad, record[3..11], contentType, plaintext.Length);
        _write.Encrypt(nonce, plaintext, record.Slice(HeaderLength + ExplicitNonceLength, plaintext.Length), record.Slice(HeaderLength + ExplicitNonceLength + plaintext.Length, TagLength), aad);
        return HeaderLength + length;
    }

    /// <summary>
    /// Opens one application-data record into <paramref name="plaintext"/>; false (and counted)
    /// when it fails authentication or is a replay. Not thread-safe (one receive thread).
    /// </summary>
    public bool TryUnprotect(ReadOnlySpan<byte> record, Span<byte> plaintext, out int written)
    {
        written = 0;
        int length = record.Length - Overhead;
        ulong sequence = ReadUInt48(record[5..]);
        if (length < 0 || plaintext.Length < length || IsReplay(sequence))
        {
            Rejected++;
            return false;
        }

        Span<byte> nonce = stackalloc byte[12];
        _readIv.CopyTo(nonce);
        record.Slice(HeaderLength, ExplicitNonceLength).CopyTo(nonce[4..]);
        Span<byte> aad = stackalloc byte[13];
        WriteAdditionalData(aad, record[3..11], record[0], length);
        try
        {
            _read.Decrypt(nonce, record.Slice(HeaderLength + ExplicitNonceLength, length), record.Slice(HeaderLength + ExplicitNonceLength + length, TagLength), plaintext[..length], aad);
        }
        catch (AuthenticationTagMismatchException)
        {
            // RFC 6347 §4.1.2.7: invalid records are silently discarded.
            plaintext[..length].Clear();
            Rejected++;
            return false;
        }

        MarkReceived(sequence);
        written = length;
        return true;
    }

    public void Dispose()
    {
        _write.Dispose();
        _read.Dispose();
    }

    private static void WriteAdditionalData(Span<byte> aad, ReadOnlySpan<byte> epochAndSequence, byte contentType, int plaintextLength)
    {
        // RFC 5246 §6.2.3.3 with the DTLS sequence number (epoch + 48-bit sequence).
        epochAndSequence.CopyTo(aad);
        aad[8] = contentType;
        aad[9] = 0xFE;
        aad[10] = 0xFD;
        BinaryPrimitives.WriteUInt16BigEndian(aad[11..], (ushort)plaintextLength);
    }

    private bool IsReplay(ulong sequence)
    {
        if (!_anyReceived || sequence > _highestSequence)
        {
            return false;
        }

        ulong age = _highestSequence - sequence;
        return age >= 64 || (_window & (1UL << (int)age)) != 0;
    }

    private void MarkReceived(ulong sequence)
    {
        if (!_anyReceived)
        {
            _anyReceived = true;
            _highestSequence = sequence;
            _window = 1;
            return;
        }

        if (sequence > _highestSequence)
        {
            ulong shift = sequence - _highestSequence;
            _window = shift >= 64 ? 1 : (_window << (int)shift) | 1;
            _highestSequence = sequence;
        }
        else
        {
            _window |= 1UL << (int)(_highestSequence - sequence);
        }
    }

    private static void WriteUInt48(Span<byte> destination, ulong value)
    {
        BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)(value >> 32));
        BinaryPrimitives.WriteUInt32BigEndian(destination[2..], (uint)value);
    }

    private static ulong ReadUInt48(ReadOnlySpan<byte> source) =>
        ((ulong)BinaryPrimitives.ReadUInt16BigEndian(source) << 32) | BinaryPrimitives.ReadUInt32BigEndian(source[2..]);
}
