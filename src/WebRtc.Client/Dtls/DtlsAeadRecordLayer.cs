using System.Buffers.Binary;
using System.Security.Cryptography;
using Org.BouncyCastle.Tls;

namespace WebRtc.Client.Dtls;

/// <summary>
/// The epoch-1 records of an established DTLS 1.2 session with an AEAD suite (AES-GCM, RFC 5288;
/// ChaCha20-Poly1305, RFC 7905), protected with .NET's <see cref="AesGcm"/> and
/// <see cref="ChaCha20Poly1305"/> instead of BouncyCastle's record layer. BouncyCastle still runs
/// the handshake; once it is done, this is the only writer of epoch 1: application data, and every
/// record BouncyCastle sends later (a retransmitted Finished, alerts) is re-sealed here
/// (<see cref="Reseal"/>), so the epoch has one sequence counter with no gaps and no nonce is
/// ever used twice (RFC 6347 §4.1).
/// </summary>
internal sealed class DtlsAeadRecordLayer : IDisposable
{
    public const int HeaderLength = 13;
    public const int TagLength = 16;
    public const byte ChangeCipherSpec = 20;
    public const byte Alert = 21;
    public const byte Handshake = 22;
    public const byte ApplicationData = 23;

    /// <summary>RFC 6347 §4.1 / RFC 5246 §6.2.3: a record's fragment is at most 2^14 + 2048 bytes.</summary>
    public const int MaxRecordLength = HeaderLength + (1 << 14) + 2048;

    /// <summary>The one epoch a WebRTC session has after its single handshake.</summary>
    public const ushort Epoch = 1;

    // RFC 6347 §4.1: the sequence number must not wrap; keep a few for close_notify.
    private const ulong MaxSequence = (1UL << 48) - 1;

    // RFC 8446 §5.5 (applied to DTLS by RFC 9147 §4.5.3): AES-GCM protects at most 2^24.5 full-size
    // records per key. The bound is on AES blocks (σ + q in AEBounds), so it is counted as blocks
    // plus one per record against 2^24.5 × (2^10 + 1); WebRTC's small records get more of them.
    // ChaCha20-Poly1305 has no confidentiality limit below the sequence space.
    private static readonly ulong AesGcmBlockBudget = (ulong)(Math.Pow(2, 24.5) * ((1 << 10) + 1));

    // RFC 9147 §4.5.3: records that fail authentication, for AES-GCM and ChaCha20-Poly1305.
    private const ulong DefaultFailureLimit = 1UL << 36;

    // What stays in reserve once application data is refused: a close_notify and a few re-sealed records.
    private const ulong Reserve = 64;

    private readonly Aead _write;
    private readonly Aead _read;
    private readonly object _sealGate = new();
    private ulong _nextSequence;
    private ulong _spent;

    // RFC 6347 §4.1.2.6 anti-replay window.
    private ulong _highestSequence;
    private ulong _window;
    private bool _anyReceived;
    private ulong _failures;

    private DtlsAeadRecordLayer(Aead write, Aead read, int cipherSuite, bool isGcm)
    {
        _write = write;
        _read = read;
        CipherSuite = cipherSuite;
        Overhead = HeaderLength + write.ExplicitNonceLength + TagLength;
        SealBudget = isGcm ? AesGcmBlockBudget : MaxSequence;
        FailureLimit = DefaultFailureLimit;
    }

    /// <summary>The negotiated suite (IANA id).</summary>
    public int CipherSuite { get; }

    /// <summary>Bytes a record adds to its plaintext: header, explicit nonce (GCM) and tag.</summary>
    public int Overhead { get; }

    /// <summary>How much this key may protect: AES blocks plus one per record (GCM), or records (ChaCha20).</summary>
    public ulong SealBudget { get; set; }

    /// <summary>How many records may fail authentication before the key must no longer be used.</summary>
    public ulong FailureLimit { get; set; }

    /// <summary>Records dropped: failed authentication, replayed, or malformed.</summary>
    public long Rejected { get; private set; }

    /// <summary>The sequence number the next sealed record gets.</summary>
    public ulong NextSequence
    {
        get
        {
            lock (_sealGate)
            {
                return _nextSequence;
            }
        }
    }

    /// <summary>True once application data is refused because the key reached its AEAD limit.</summary>
    public bool SealLimitReached { get; private set; }

    /// <summary>True once more records failed authentication than <see cref="FailureLimit"/> allows.</summary>
    public bool FailureLimitReached => _failures >= FailureLimit;

    /// <summary>
    /// Derives the record keys from the finished handshake (RFC 5246 §6.3 key expansion) for the
    /// AEAD suites; null for any other suite, or when the platform lacks the algorithm.
    /// </summary>
    /// <param name="context">BouncyCastle's context, from NotifyHandshakeComplete.</param>
    /// <param name="firstSequence">The first epoch-1 sequence number that BouncyCastle has not used.</param>
    public static DtlsAeadRecordLayer? TryCreate(TlsContext context, ulong firstSequence)
    {
        var parameters = context.SecurityParameters;
        int suite = parameters.CipherSuite;
        (int keyLength, int ivLength, bool gcm) = suite switch
        {
            Org.BouncyCastle.Tls.CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 or Org.BouncyCastle.Tls.CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 => (16, 4, true),
            Org.BouncyCastle.Tls.CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 or Org.BouncyCastle.Tls.CipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 => (32, 4, true),
            Org.BouncyCastle.Tls.CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 or Org.BouncyCastle.Tls.CipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256 => (32, 12, false),
            _ => (0, 0, false),
        };
        if (keyLength == 0 || parameters.MasterSecret is null || (!gcm && !ChaCha20Poly1305.IsSupported) || (gcm && !AesGcm.IsSupported))
        {
            return null;
        }

        var seed = new byte[parameters.ServerRandom.Length + parameters.ClientRandom.Length];
        parameters.ServerRandom.CopyTo(seed, 0);
        parameters.ClientRandom.CopyTo(seed, parameters.ServerRandom.Length);
        var block = parameters.MasterSecret.DeriveUsingPrf(parameters.PrfAlgorithm, ExporterLabel.key_expansion, seed, (2 * keyLength) + (2 * ivLength)).Extract();
        try
        {
            // key_block = client_write_key, server_write_key, client_write_IV, server_write_IV (AEAD: no MAC keys).
            var clientKey = block.AsSpan(0, keyLength);
            var serverKey = block.AsSpan(keyLength, keyLength);
            var clientIv = block.AsSpan(2 * keyLength, ivLength).ToArray();
            var serverIv = block.AsSpan((2 * keyLength) + ivLength, ivLength).ToArray();
            Aead client = gcm ? new GcmAead(clientKey, clientIv) : new ChaChaAead(clientKey, clientIv);
            Aead server = gcm ? new GcmAead(serverKey, serverIv) : new ChaChaAead(serverKey, serverIv);
            var layer = context.IsServer ? new DtlsAeadRecordLayer(server, client, suite, gcm) : new DtlsAeadRecordLayer(client, server, suite, gcm);
            layer._nextSequence = firstSequence;
            return layer;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(block);
        }
    }

    /// <summary>
    /// The length of the record that starts <paramref name="datagram"/> (at least <see cref="HeaderLength"/>
    /// bytes), header included, cut to what the datagram holds: walking a datagram record by record.
    /// </summary>
    public static int FirstRecordLength(ReadOnlySpan<byte> datagram) =>
        Math.Min(datagram.Length, HeaderLength + BinaryPrimitives.ReadUInt16BigEndian(datagram[11..]));

    /// <summary>True when <paramref name="datagram"/> is exactly one epoch-1 application-data record: ours to open.</summary>
    public static bool IsSingleApplicationRecord(ReadOnlySpan<byte> datagram) =>
        datagram.Length >= HeaderLength + TagLength
        && datagram[0] == ApplicationData
        && datagram[1] == 0xFE && datagram[2] == 0xFD
        && BinaryPrimitives.ReadUInt16BigEndian(datagram[3..]) == Epoch
        && BinaryPrimitives.ReadUInt16BigEndian(datagram[11..]) == datagram.Length - HeaderLength;

    /// <summary>
    /// Seals <paramref name="plaintext"/> into one record in <paramref name="record"/> (at least
    /// <see cref="Overhead"/> bytes more than the plaintext); false, and nothing written, once the
    /// key has reached its limit (RFC 9147 §4.5.3): the session must then be closed. Alerts may
    /// still use the reserve kept for them. Thread-safe.
    /// </summary>
    public bool TryProtect(byte contentType, ReadOnlySpan<byte> plaintext, Span<byte> record, out int written)
    {
        lock (_sealGate)
        {
            return TryProtectLocked(contentType, plaintext, record, out written);
        }
    }

    /// <summary>
    /// Opens one record (any content type) into <paramref name="plaintext"/>; anything but
    /// <see cref="RecordRejection.None"/> means it was dropped (and counted). Not thread-safe (one receive thread).
    /// </summary>
    public RecordRejection Unprotect(ReadOnlySpan<byte> record, Span<byte> plaintext, out int written)
    {
        written = 0;
        int length = record.Length - Overhead;
        if (length < 0 || plaintext.Length < length || record.Length > MaxRecordLength)
        {
            Rejected++;
            return RecordRejection.Malformed;
        }

        ulong sequence = ReadUInt48(record[5..]);
        if (IsReplay(sequence))
        {
            Rejected++;
            return RecordRejection.Replayed;
        }

        if (!_read.Open(record, length, plaintext[..length]))
        {
            // RFC 6347 §4.1.2.7: invalid records are silently discarded; RFC 9147 §4.5.3: but counted.
            _failures++;
            Rejected++;
            return RecordRejection.Forged;
        }

        MarkReceived(sequence);
        written = length;
        return RecordRejection.None;
    }

    /// <summary>
    /// Re-seals the epoch-1 records of a datagram BouncyCastle sends after the handshake under
    /// this layer's sequence numbers (other epochs are copied as they are) into
    /// <paramref name="output"/>, which must be at least as long. Returns the length written, or
    /// -1 when a record is malformed or fails authentication with our own key (never expected).
    /// </summary>
    public int Reseal(ReadOnlySpan<byte> datagram, Span<byte> output, Span<byte> scratch)
    {
        lock (_sealGate)
        {
            int read = 0, written = 0;
            while (read < datagram.Length)
            {
                if (datagram.Length - read < HeaderLength)
                {
                    return -1;
                }

                var header = datagram[read..];
                int recordLength = HeaderLength + BinaryPrimitives.ReadUInt16BigEndian(header[11..]);
                if (recordLength > header.Length)
                {
                    return -1;
                }

                var record = header[..recordLength];
                if (BinaryPrimitives.ReadUInt16BigEndian(record[3..]) != Epoch)
                {
                    record.CopyTo(output[written..]);
                    written += recordLength;
                }
                else
                {
                    int length = recordLength - Overhead;
                    if (length < 0 || !_write.Open(record, length, scratch[..length]))
                    {
                        return -1;
                    }

                    if (!TryProtectLocked(record[0], scratch[..length], output[written..], out int sealedLength))
                    {
                        return -1;
                    }

                    written += sealedLength;
                }

                read += recordLength;
            }

            return written;
        }
    }

    public void Dispose()
    {
        _write.Dispose();
        _read.Dispose();
    }

    private bool TryProtectLocked(byte contentType, ReadOnlySpan<byte> plaintext, Span<byte> record, out int written)
    {
        written = 0;
        ulong cost = _write.Cost(plaintext.Length);
        ulong limit = contentType == ApplicationData ? SealBudget - Math.Min(SealBudget, Reserve) : SealBudget;
        if (_spent + cost > limit || _nextSequence >= MaxSequence - (contentType == ApplicationData ? Reserve : 0))
        {
            SealLimitReached = true;
            return false;
        }

        _spent += cost;
        ulong sequence = _nextSequence++;
        int length = _write.ExplicitNonceLength + plaintext.Length + TagLength;
        record[0] = contentType;
        record[1] = 0xFE;
        record[2] = 0xFD;
        BinaryPrimitives.WriteUInt16BigEndian(record[3..], Epoch);
        WriteUInt48(record[5..], sequence);
        BinaryPrimitives.WriteUInt16BigEndian(record[11..], (ushort)length);
        _write.Seal(record, plaintext);
        written = HeaderLength + length;
        return true;
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

    // RFC 5246 §6.2.3.3 with the DTLS sequence number (epoch + 48-bit sequence), for both AEADs.
    private static void WriteAdditionalData(Span<byte> aad, ReadOnlySpan<byte> record, int plaintextLength)
    {
        record.Slice(3, 8).CopyTo(aad);
        aad[8] = record[0];
        aad[9] = record[1];
        aad[10] = record[2];
        BinaryPrimitives.WriteUInt16BigEndian(aad[11..], (ushort)plaintextLength);
    }

    /// <summary>
    /// One direction's key and IV; the record header (13 bytes) is already written or read. The
    /// record format is shared (RFC 5246 §6.2.3.3): [explicit nonce] ciphertext tag, the AAD from the
    /// header; the two AEADs differ only in their nonce and primitive.
    /// </summary>
    private abstract class Aead : IDisposable
    {
        public abstract int ExplicitNonceLength { get; }

        /// <summary>What sealing a record of this plaintext length costs against <see cref="SealBudget"/>.</summary>
        public abstract ulong Cost(int plaintextLength);

        /// <summary>Seals into <paramref name="record"/> after its header: [explicit nonce] ciphertext tag.</summary>
        public void Seal(Span<byte> record, ReadOnlySpan<byte> plaintext)
        {
            WriteExplicitNonce(record);
            Span<byte> nonce = stackalloc byte[12];
            WriteNonce(record, nonce);
            Span<byte> aad = stackalloc byte[13];
            WriteAdditionalData(aad, record, plaintext.Length);
            var body = record[(HeaderLength + ExplicitNonceLength)..];
            Encrypt(nonce, plaintext, body[..plaintext.Length], body.Slice(plaintext.Length, TagLength), aad);
        }

        /// <summary>Opens a whole record whose plaintext is <paramref name="length"/> bytes.</summary>
        public bool Open(ReadOnlySpan<byte> record, int length, Span<byte> plaintext)
        {
            Span<byte> nonce = stackalloc byte[12];
            WriteNonce(record, nonce);
            Span<byte> aad = stackalloc byte[13];
            WriteAdditionalData(aad, record, length);
            var body = record[(HeaderLength + ExplicitNonceLength)..];
            try
            {
                Decrypt(nonce, body[..length], body.Slice(length, TagLength), plaintext, aad);
                return true;
            }
            catch (AuthenticationTagMismatchException)
            {
                plaintext.Clear();
                return false;
            }
        }

        public abstract void Dispose();

        /// <summary>Writes what the record carries of the nonce, if anything, after its header.</summary>
        protected virtual void WriteExplicitNonce(Span<byte> record)
        {
        }

        /// <summary>The 12-byte nonce of the record whose header (and explicit nonce) is in place.</summary>
        protected abstract void WriteNonce(ReadOnlySpan<byte> record, Span<byte> nonce);

        protected abstract void Encrypt(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, Span<byte> tag, ReadOnlySpan<byte> aad);

        protected abstract void Decrypt(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext, ReadOnlySpan<byte> aad);
    }

    // RFC 5288 §3: nonce = 4-byte implicit salt || 8-byte explicit nonce carried in the record;
    // the explicit part is the epoch and sequence number, as BouncyCastle and BoringSSL write it.
    private sealed class GcmAead(ReadOnlySpan<byte> key, byte[] salt) : Aead
    {
        private readonly AesGcm _aes = new(key, TagLength);

        public override int ExplicitNonceLength => 8;

        public override ulong Cost(int plaintextLength) => ((ulong)plaintextLength + 15) / 16 + 1;

        public override void Dispose() => _aes.Dispose();

        protected override void WriteExplicitNonce(Span<byte> record) => record.Slice(3, 8).CopyTo(record.Slice(HeaderLength, 8));

        protected override void WriteNonce(ReadOnlySpan<byte> record, Span<byte> nonce)
        {
            salt.CopyTo(nonce);
            record.Slice(HeaderLength, 8).CopyTo(nonce[4..]);
        }

        protected override void Encrypt(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, Span<byte> tag, ReadOnlySpan<byte> aad) =>
            _aes.Encrypt(nonce, plaintext, ciphertext, tag, aad);

        protected override void Decrypt(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext, ReadOnlySpan<byte> aad) =>
            _aes.Decrypt(nonce, ciphertext, tag, plaintext, aad);
    }

    // RFC 7905 §2: nonce = 12-byte IV XOR (4 zero bytes || 64-bit epoch and sequence); no explicit nonce.
    private sealed class ChaChaAead(ReadOnlySpan<byte> key, byte[] iv) : Aead
    {
        private readonly ChaCha20Poly1305 _chacha = new(key);

        public override int ExplicitNonceLength => 0;

        public override ulong Cost(int plaintextLength) => 1;

        public override void Dispose() => _chacha.Dispose();

        protected override void WriteNonce(ReadOnlySpan<byte> record, Span<byte> nonce)
        {
            iv.CopyTo(nonce);
            var sequence = record.Slice(3, 8);
            for (int i = 0; i < 8; i++)
            {
                nonce[4 + i] ^= sequence[i];
            }
        }

        protected override void Encrypt(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, Span<byte> tag, ReadOnlySpan<byte> aad) =>
            _chacha.Encrypt(nonce, plaintext, ciphertext, tag, aad);

        protected override void Decrypt(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext, ReadOnlySpan<byte> aad) =>
            _chacha.Decrypt(nonce, ciphertext, tag, plaintext, aad);
    }
}

/// <summary>Why <see cref="DtlsAeadRecordLayer.Unprotect"/> dropped a record.</summary>
internal enum RecordRejection
{
    /// <summary>Not dropped.</summary>
    None,

    /// <summary>Shorter than the AEAD overhead, or longer than a record may be.</summary>
    Malformed,

    /// <summary>Seen before, or older than the 64-record replay window.</summary>
    Replayed,

    /// <summary>Failed authentication.</summary>
    Forged,
}
