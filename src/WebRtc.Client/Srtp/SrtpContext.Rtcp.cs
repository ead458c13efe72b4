using System.Buffers.Binary;
using System.Security.Cryptography;

namespace WebRtc.Client.Srtp;

/// <summary>SRTCP (RFC 3711 §3.4, RFC 7714 §9): E flag and 31-bit index after the packet, replay checked.</summary>
public sealed partial class SrtpContext
{
    private const uint EncryptedFlag = 0x8000_0000;

    /// <summary>Encrypts and authenticates a (compound) RTCP packet in place; index and tag go after it.</summary>
    /// <param name="buffer">Holds the packet and at least <see cref="RtcpOverhead"/> more bytes.</param>
    /// <param name="length">Length of the RTCP packet.</param>
    /// <param name="protectedLength">Length of the SRTCP packet.</param>
    /// <returns><see langword="false"/> when the header is malformed, the buffer is too small or the SSRC cap is reached.</returns>
    public bool TryProtectRtcp(Span<byte> buffer, int length, out int protectedLength) =>
        TryProtectRtcp(buffer, length, out protectedLength, out _);

    /// <summary>Encrypts and authenticates a (compound) RTCP packet in place; index and tag go after it.</summary>
    /// <param name="buffer">Holds the packet and at least <see cref="RtcpOverhead"/> more bytes.</param>
    /// <param name="length">Length of the RTCP packet.</param>
    /// <param name="protectedLength">Length of the SRTCP packet.</param>
    /// <param name="error">Why it failed, or <see cref="SrtpError.None"/>.</param>
    /// <returns><see langword="true"/> when protected.</returns>
    public bool TryProtectRtcp(Span<byte> buffer, int length, out int protectedLength, out SrtpError error)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        protectedLength = 0;
        if ((uint)length > (uint)buffer.Length || length < RtcpHeaderLength)
        {
            error = SrtpError.TooShort;
            return false;
        }

        if ((buffer[0] >> 6) != 2)
        {
            error = SrtpError.BadHeader;
            return false;
        }

        if (buffer.Length - length < RtcpOverhead)
        {
            error = SrtpError.BufferTooSmall;
            return false;
        }

        uint ssrc = BinaryPrimitives.ReadUInt32BigEndian(buffer.Slice(4));
        Stream? stream = GetOrCreateStream(ssrc);
        if (stream is null)
        {
            error = SrtpError.TooManyStreams;
            return false;
        }

        uint index = stream.SrtcpSendIndex;
        stream.SrtcpSendIndex = (index + 1) & 0x7FFF_FFFF;
        uint eIndex = EncryptedFlag | index;
        Span<byte> payload = buffer.Slice(RtcpHeaderLength, length - RtcpHeaderLength);
        if (_rtcpGcm is not null)
        {
            Span<byte> nonce = stackalloc byte[12];
            RtcpGcmNonce(nonce, ssrc, index);
            Span<byte> aad = stackalloc byte[RtcpHeaderLength + SrtcpIndexLength];
            buffer.Slice(0, RtcpHeaderLength).CopyTo(aad);
            BinaryPrimitives.WriteUInt32BigEndian(aad.Slice(RtcpHeaderLength), eIndex);
            _rtcpGcm.Encrypt(nonce, payload, payload, buffer.Slice(length, 16), aad);
            BinaryPrimitives.WriteUInt32BigEndian(buffer.Slice(length + 16), eIndex);
        }
        else
        {
            Span<byte> iv = stackalloc byte[16];
            CmIv(iv, _rtcpSalt, ssrc, index);
            _rtcpCipher!.Transform(iv, payload);
            BinaryPrimitives.WriteUInt32BigEndian(buffer.Slice(length), eIndex);
            Span<byte> mac = stackalloc byte[HmacSha1Length];
            _rtcpAuth!.AppendData(buffer.Slice(0, length + SrtcpIndexLength));
            _rtcpAuth.GetHashAndReset(mac);
            mac.Slice(0, _rtcpTagLength).CopyTo(buffer.Slice(length + SrtcpIndexLength));
        }

        protectedLength = length + RtcpOverhead;
        error = SrtpError.None;
        return true;
    }

    /// <summary>Verifies and (when the E flag is set) decrypts an SRTCP packet in place.</summary>
    /// <param name="buffer">Holds the SRTCP packet.</param>
    /// <param name="length">Length of the SRTCP packet.</param>
    /// <param name="plainLength">Length of the RTCP packet.</param>
    /// <returns><see langword="false"/> when the packet is malformed, fails authentication or is replayed.</returns>
    public bool TryUnprotectRtcp(Span<byte> buffer, int length, out int plainLength) =>
        TryUnprotectRtcp(buffer, length, out plainLength, out _);

    /// <summary>Verifies and (when the E flag is set) decrypts an SRTCP packet in place.</summary>
    /// <param name="buffer">Holds the SRTCP packet.</param>
    /// <param name="length">Length of the SRTCP packet.</param>
    /// <param name="plainLength">Length of the RTCP packet.</param>
    /// <param name="error">Why it failed, or <see cref="SrtpError.None"/>.</param>
    /// <returns><see langword="true"/> when the packet authenticated and is new.</returns>
    public bool TryUnprotectRtcp(Span<byte> buffer, int length, out int plainLength, out SrtpError error)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        plainLength = 0;
        if ((uint)length > (uint)buffer.Length || length < RtcpHeaderLength + RtcpOverhead)
        {
            error = SrtpError.TooShort;
            return false;
        }

        if ((buffer[0] >> 6) != 2)
        {
            error = SrtpError.BadHeader;
            return false;
        }

        int rtcpLength = length - RtcpOverhead;
        uint ssrc = BinaryPrimitives.ReadUInt32BigEndian(buffer.Slice(4));
        int indexOffset = _rtcpGcm is not null ? length - SrtcpIndexLength : rtcpLength;
        uint eIndex = BinaryPrimitives.ReadUInt32BigEndian(buffer.Slice(indexOffset));
        bool encrypted = (eIndex & EncryptedFlag) != 0;
        uint index = eIndex & 0x7FFF_FFFF;
        Stream? stream = FindStream(ssrc);
        if (stream is null && _streamCount == _streams.Length)
        {
            error = SrtpError.TooManyStreams;
            return false;
        }

        if (stream is not null && !stream.RtcpWindow.IsAcceptable(index))
        {
            error = SrtpError.Replayed;
            return false;
        }

        Span<byte> payload = buffer.Slice(RtcpHeaderLength, rtcpLength - RtcpHeaderLength);
        if (_rtcpGcm is not null)
        {
            Span<byte> nonce = stackalloc byte[12];
            RtcpGcmNonce(nonce, ssrc, index);
            bool ok;
            if (encrypted)
            {
                // RFC 7714 §9.2: AAD = header (8 bytes) || E || SRTCP index.
                Span<byte> aad = stackalloc byte[RtcpHeaderLength + SrtcpIndexLength];
                buffer.Slice(0, RtcpHeaderLength).CopyTo(aad);
                BinaryPrimitives.WriteUInt32BigEndian(aad.Slice(RtcpHeaderLength), eIndex);
                ok = GcmOpen(_rtcpGcm, nonce, payload, buffer.Slice(rtcpLength, 16), aad);
            }
            else
            {
                // RFC 7714 §9.3: AAD = whole packet || E || index. Move E||index over the tag so the AAD is contiguous.
                Span<byte> tag = stackalloc byte[16];
                buffer.Slice(rtcpLength, 16).CopyTo(tag);
                BinaryPrimitives.WriteUInt32BigEndian(buffer.Slice(rtcpLength), eIndex);
                ok = GcmOpen(_rtcpGcm, nonce, Span<byte>.Empty, tag, buffer.Slice(0, rtcpLength + SrtcpIndexLength));
            }

            if (!ok)
            {
                error = SrtpError.AuthenticationFailed;
                return false;
            }
        }
        else
        {
            Span<byte> mac = stackalloc byte[HmacSha1Length];
            _rtcpAuth!.AppendData(buffer.Slice(0, rtcpLength + SrtcpIndexLength));
            _rtcpAuth.GetHashAndReset(mac);
            if (!CryptographicOperations.FixedTimeEquals(mac.Slice(0, _rtcpTagLength), buffer.Slice(rtcpLength + SrtcpIndexLength, _rtcpTagLength)))
            {
                error = SrtpError.AuthenticationFailed;
                return false;
            }

            if (encrypted)
            {
                Span<byte> iv = stackalloc byte[16];
                CmIv(iv, _rtcpSalt, ssrc, index);
                _rtcpCipher!.Transform(iv, payload);
            }
        }

        stream ??= CreateStream(ssrc);
        stream.RtcpWindow.Accept(index);
        plainLength = rtcpLength;
        error = SrtpError.None;
        return true;
    }

    /// <summary>RFC 7714 §9.1: IV = (00 00 || SSRC || 00 00 || 0 || SRTCP index) XOR salt.</summary>
    private void RtcpGcmNonce(Span<byte> nonce, uint ssrc, uint index)
    {
        nonce[0] = 0;
        nonce[1] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(nonce.Slice(2), ssrc);
        nonce[6] = 0;
        nonce[7] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(nonce.Slice(8), index);
        XorSalt(nonce, _rtcpSalt);
    }
}
