using System.Buffers.Binary;
using System.Security.Cryptography;

namespace WebRtc.Client.Srtp;

/// <summary>
/// One direction of an SRTP session (RFC 3711, RFC 7714): session keys derived from a master key
/// and salt, and per-SSRC state (rollover counter, replay windows, SRTCP index) created on demand
/// up to a cap. Protect and unprotect work in place and allocate nothing per packet.
/// Not thread-safe: use one context per direction from one thread (the receive loop or the sender).
/// </summary>
public sealed partial class SrtpContext : IDisposable
{
    /// <summary>Default cap on the number of SSRCs a context tracks.</summary>
    public const int DefaultMaxStreams = 64;

    private const int HmacSha1Length = 20;
    private const int SrtcpIndexLength = 4;
    private const int RtcpHeaderLength = 8;

    private readonly SrtpProfile _profile;
    private readonly int _rtpTagLength;
    private readonly int _rtcpTagLength;
    private readonly byte[] _rtpSalt;
    private readonly byte[] _rtcpSalt;
    private readonly AesCtr? _rtpCipher;
    private readonly AesCtr? _rtcpCipher;
    private readonly IncrementalHash? _rtpAuth;
    private readonly IncrementalHash? _rtcpAuth;
    private readonly AesGcm? _rtpGcm;
    private readonly AesGcm? _rtcpGcm;
    private readonly Stream?[] _streams;
    private int _streamCount;
    private Stream? _lastStream;
    private bool _disposed;

    /// <summary>Creates a context from a master key and master salt, deriving the session keys (RFC 3711 §4.3).</summary>
    /// <param name="profile">The protection profile.</param>
    /// <param name="masterKey">Master key, <see cref="SrtpProfileExtensions.GetKeyLength"/> bytes.</param>
    /// <param name="masterSalt">Master salt, <see cref="SrtpProfileExtensions.GetSaltLength"/> bytes.</param>
    /// <param name="maxStreams">Most SSRCs tracked; further SSRCs fail with <see cref="SrtpError.TooManyStreams"/>.</param>
    /// <exception cref="ArgumentException">A length does not match the profile.</exception>
    public SrtpContext(SrtpProfile profile, ReadOnlySpan<byte> masterKey, ReadOnlySpan<byte> masterSalt, int maxStreams = DefaultMaxStreams)
        : this(profile, DeriveSessionKeys(profile, masterKey, masterSalt), maxStreams)
    {
    }

    private SrtpContext(SrtpProfile profile, SessionKeys keys, int maxStreams)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxStreams, 1);
        _profile = profile;
        _rtpTagLength = profile.GetSrtpAuthTagLength();
        _rtcpTagLength = profile.GetSrtcpAuthTagLength();
        _rtpSalt = keys.RtpSalt;
        _rtcpSalt = keys.RtcpSalt;
        _streams = new Stream?[maxStreams];
        if (profile.IsAead())
        {
            _rtpGcm = new AesGcm(keys.RtpKey, 16);
            _rtcpGcm = new AesGcm(keys.RtcpKey, 16);
        }
        else
        {
            _rtpCipher = new AesCtr(keys.RtpKey);
            _rtcpCipher = new AesCtr(keys.RtcpKey);
            _rtpAuth = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA1, keys.RtpAuthKey);
            _rtcpAuth = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA1, keys.RtcpAuthKey);
        }

        keys.Clear();
    }

    /// <summary>The protection profile.</summary>
    public SrtpProfile Profile => _profile;

    /// <summary>Bytes <see cref="TryProtectRtp(Span{byte}, int, out int)"/> appends: the SRTP tag.</summary>
    public int RtpOverhead => _rtpTagLength;

    /// <summary>Bytes <see cref="TryProtectRtcp(Span{byte}, int, out int)"/> appends: SRTCP index and tag.</summary>
    public int RtcpOverhead => _rtcpTagLength + SrtcpIndexLength;

    /// <summary>Number of SSRCs tracked so far.</summary>
    public int StreamCount => _streamCount;

    /// <summary>Encrypts and authenticates an RTP packet in place; the tag goes after it.</summary>
    /// <param name="buffer">Holds the packet and at least <see cref="RtpOverhead"/> more bytes.</param>
    /// <param name="length">Length of the RTP packet.</param>
    /// <param name="protectedLength">Length of the SRTP packet.</param>
    /// <returns><see langword="false"/> when the header is malformed, the buffer is too small or the SSRC cap is reached.</returns>
    public bool TryProtectRtp(Span<byte> buffer, int length, out int protectedLength) =>
        TryProtectRtp(buffer, length, out protectedLength, out _);

    /// <summary>Encrypts and authenticates an RTP packet in place; the tag goes after it.</summary>
    /// <param name="buffer">Holds the packet and at least <see cref="RtpOverhead"/> more bytes.</param>
    /// <param name="length">Length of the RTP packet.</param>
    /// <param name="protectedLength">Length of the SRTP packet.</param>
    /// <param name="error">Why it failed, or <see cref="SrtpError.None"/>.</param>
    /// <returns><see langword="true"/> when protected.</returns>
    public bool TryProtectRtp(Span<byte> buffer, int length, out int protectedLength, out SrtpError error)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        protectedLength = 0;
        if ((uint)length > (uint)buffer.Length)
        {
            error = SrtpError.TooShort;
            return false;
        }

        if (!RtpHeaderReader.TryGetHeaderLength(buffer.Slice(0, length), out int headerLength))
        {
            error = SrtpError.BadHeader;
            return false;
        }

        if (buffer.Length - length < _rtpTagLength)
        {
            error = SrtpError.BufferTooSmall;
            return false;
        }

        uint ssrc = BinaryPrimitives.ReadUInt32BigEndian(buffer.Slice(8));
        ushort seq = BinaryPrimitives.ReadUInt16BigEndian(buffer.Slice(2));
        Stream? stream = GetOrCreateStream(ssrc);
        if (stream is null)
        {
            error = SrtpError.TooManyStreams;
            return false;
        }

        if (!stream.SendStarted)
        {
            stream.SendStarted = true;
            stream.SendRoc = 0;
            stream.SendSeq = seq;
        }

        // The sender guesses its own ROC like a receiver would, so retransmissions of packets
        // sent before a wrap keep their old ROC (RFC 3711 §3.3.1).
        long v = EstimateRoc(stream.SendRoc, stream.SendSeq, seq);
        if (v < 0)
        {
            v = 0;
        }

        long index = (v << 16) | seq;
        if (index > stream.SendHighest)
        {
            stream.SendHighest = index;
            stream.SendRoc = (uint)v;
            stream.SendSeq = seq;
        }

        uint roc = (uint)v;
        Span<byte> payload = buffer.Slice(headerLength, length - headerLength);
        if (_rtpGcm is not null)
        {
            Span<byte> nonce = stackalloc byte[12];
            RtpGcmNonce(nonce, ssrc, roc, seq);
            _rtpGcm.Encrypt(nonce, payload, payload, buffer.Slice(length, 16), buffer.Slice(0, headerLength));
        }
        else
        {
            Span<byte> iv = stackalloc byte[16];
            CmIv(iv, _rtpSalt, ssrc, index);
            _rtpCipher!.Transform(iv, payload);
            Span<byte> mac = stackalloc byte[HmacSha1Length];
            RtpMac(buffer, length, roc, mac);
            mac.Slice(0, _rtpTagLength).CopyTo(buffer.Slice(length));
        }

        protectedLength = length + _rtpTagLength;
        error = SrtpError.None;
        return true;
    }

    /// <summary>Verifies and decrypts an SRTP packet in place.</summary>
    /// <param name="buffer">Holds the SRTP packet.</param>
    /// <param name="length">Length of the SRTP packet.</param>
    /// <param name="plainLength">Length of the RTP packet.</param>
    /// <returns><see langword="false"/> when the packet is malformed, fails authentication or is replayed.</returns>
    public bool TryUnprotectRtp(Span<byte> buffer, int length, out int plainLength) =>
        TryUnprotectRtp(buffer, length, out plainLength, out _);

    /// <summary>Verifies and decrypts an SRTP packet in place.</summary>
    /// <param name="buffer">Holds the SRTP packet.</param>
    /// <param name="length">Length of the SRTP packet.</param>
    /// <param name="plainLength">Length of the RTP packet.</param>
    /// <param name="error">Why it failed, or <see cref="SrtpError.None"/>.</param>
    /// <returns><see langword="true"/> when the packet authenticated and is new.</returns>
    public bool TryUnprotectRtp(Span<byte> buffer, int length, out int plainLength, out SrtpError error)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        plainLength = 0;
        if ((uint)length > (uint)buffer.Length || length < RtpHeaderReader.FixedHeaderLength + _rtpTagLength)
        {
            error = SrtpError.TooShort;
            return false;
        }

        int bodyLength = length - _rtpTagLength;
        if (!RtpHeaderReader.TryGetHeaderLength(buffer.Slice(0, bodyLength), out int headerLength))
        {
            error = SrtpError.BadHeader;
            return false;
        }

        uint ssrc = BinaryPrimitives.ReadUInt32BigEndian(buffer.Slice(8));
        ushort seq = BinaryPrimitives.ReadUInt16BigEndian(buffer.Slice(2));
        Stream? stream = FindStream(ssrc);
        if (stream is null && _streamCount == _streams.Length)
        {
            error = SrtpError.TooManyStreams;
            return false;
        }

        long v = stream is { RecvStarted: true } ? EstimateRoc(stream.RecvRoc, stream.RecvSeq, seq) : 0;
        long index = (v << 16) | seq;
        if (v < 0 || (stream is not null && !stream.RtpWindow.IsAcceptable(index)))
        {
            error = SrtpError.Replayed;
            return false;
        }

        uint roc = (uint)v;
        Span<byte> payload = buffer.Slice(headerLength, bodyLength - headerLength);
        if (_rtpGcm is not null)
        {
            Span<byte> nonce = stackalloc byte[12];
            RtpGcmNonce(nonce, ssrc, roc, seq);
            if (!GcmOpen(_rtpGcm, nonce, payload, buffer.Slice(bodyLength, 16), buffer.Slice(0, headerLength)))
            {
                error = SrtpError.AuthenticationFailed;
                return false;
            }
        }
        else
        {
            Span<byte> mac = stackalloc byte[HmacSha1Length];
            Span<byte> tag = stackalloc byte[10];
            tag = tag.Slice(0, _rtpTagLength);
            buffer.Slice(bodyLength, _rtpTagLength).CopyTo(tag);
            RtpMac(buffer, bodyLength, roc, mac);
            if (!CryptographicOperations.FixedTimeEquals(mac.Slice(0, _rtpTagLength), tag))
            {
                error = SrtpError.AuthenticationFailed;
                return false;
            }

            Span<byte> iv = stackalloc byte[16];
            CmIv(iv, _rtpSalt, ssrc, index);
            _rtpCipher!.Transform(iv, payload);
        }

        // State changes only after authentication, so forged packets cannot move the ROC or fill the table.
        stream ??= CreateStream(ssrc);
        if (!stream.RecvStarted || index > stream.RtpWindow.Highest)
        {
            stream.RecvStarted = true;
            stream.RecvRoc = roc;
            stream.RecvSeq = seq;
        }

        stream.RtpWindow.Accept(index);
        plainLength = bodyLength;
        error = SrtpError.None;
        return true;
    }

    /// <summary>
    /// RFC 3711 §3.3.1: guess the ROC v of a packet from the highest sequence number s_l seen and the
    /// current ROC; -1 means the packet belongs before ROC 0.
    /// </summary>
    internal static long EstimateRoc(uint roc, ushort sl, ushort seq)
    {
        if (sl < 32768)
        {
            return seq - sl > 32768 ? (long)roc - 1 : roc;
        }

        return sl - 32768 > seq ? (long)roc + 1 : roc;
    }

    /// <summary>
    /// RFC 3711 §4.2: HMAC over the authenticated portion with the ROC appended. The ROC is written
    /// into the tag space after the packet (at least 4 bytes, already saved or not yet written) so
    /// the HMAC takes one contiguous update: each update is a call into OpenSSL.
    /// </summary>
    private void RtpMac(Span<byte> buffer, int authenticatedLength, uint roc, Span<byte> mac)
    {
        BinaryPrimitives.WriteUInt32BigEndian(buffer.Slice(authenticatedLength), roc);
        _rtpAuth!.AppendData(buffer.Slice(0, authenticatedLength + 4));
        _rtpAuth.GetHashAndReset(mac);
    }

    /// <summary>RFC 3711 §4.1.1: IV = (k_s · 2^16) XOR (SSRC · 2^64) XOR (i · 2^16).</summary>
    private static void CmIv(Span<byte> iv, ReadOnlySpan<byte> salt, uint ssrc, long index)
    {
        iv.Clear();
        salt.CopyTo(iv);
        iv[4] ^= (byte)(ssrc >> 24);
        iv[5] ^= (byte)(ssrc >> 16);
        iv[6] ^= (byte)(ssrc >> 8);
        iv[7] ^= (byte)ssrc;
        for (int i = 0; i < 6; i++)
        {
            iv[8 + i] ^= (byte)(index >> (40 - (8 * i)));
        }
    }

    /// <summary>RFC 7714 §8.1: IV = (00 00 || SSRC || ROC || SEQ) XOR salt.</summary>
    private void RtpGcmNonce(Span<byte> nonce, uint ssrc, uint roc, ushort seq)
    {
        nonce[0] = 0;
        nonce[1] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(nonce.Slice(2), ssrc);
        BinaryPrimitives.WriteUInt32BigEndian(nonce.Slice(6), roc);
        BinaryPrimitives.WriteUInt16BigEndian(nonce.Slice(10), seq);
        XorSalt(nonce, _rtpSalt);
    }

    private static void XorSalt(Span<byte> nonce, ReadOnlySpan<byte> salt)
    {
        for (int i = 0; i < 12; i++)
        {
            nonce[i] ^= salt[i];
        }
    }

    private static bool GcmOpen(AesGcm gcm, ReadOnlySpan<byte> nonce, Span<byte> data, ReadOnlySpan<byte> tag, ReadOnlySpan<byte> aad)
    {
        try
        {
            gcm.Decrypt(nonce, data, tag, data, aad);
            return true;
        }
        catch (AuthenticationTagMismatchException)
        {
            // AesGcm has no Try form; a forged packet is the rare path, so the exception cost is accepted.
            return false;
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _rtpCipher?.Dispose();
        _rtcpCipher?.Dispose();
        _rtpAuth?.Dispose();
        _rtcpAuth?.Dispose();
        _rtpGcm?.Dispose();
        _rtcpGcm?.Dispose();
        CryptographicOperations.ZeroMemory(_rtpSalt);
        CryptographicOperations.ZeroMemory(_rtcpSalt);
    }
}
