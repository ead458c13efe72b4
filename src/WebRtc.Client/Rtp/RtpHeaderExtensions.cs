using System.Buffers.Binary;
using System.Text;

namespace WebRtc.Client.Rtp;

/// <summary>
/// The header extension URIs browsers negotiate and typed readers/writers for their data
/// (the element data only, not the RFC 8285 id/length header).
/// </summary>
public static class RtpHeaderExtensions
{
    /// <summary>RFC 8843 MID.</summary>
    public const string SdesMidUri = "urn:ietf:params:rtp-hdrext:sdes:mid";
    /// <summary>RFC 8852 RtpStreamId.</summary>
    public const string RtpStreamIdUri = "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id";
    /// <summary>RFC 8852 RepairedRtpStreamId.</summary>
    public const string RepairedRtpStreamIdUri = "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id";
    /// <summary>abs-send-time.</summary>
    public const string AbsSendTimeUri = "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time";
    /// <summary>transport-wide-cc (draft-holmer-rmcat-transport-wide-cc-extensions-01).</summary>
    public const string TransportWideCcUri = "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01";
    /// <summary>RFC 6464 client-to-mixer audio level.</summary>
    public const string AudioLevelUri = "urn:ietf:params:rtp-hdrext:ssrc-audio-level";
    /// <summary>playout-delay.</summary>
    public const string PlayoutDelayUri = "http://www.webrtc.org/experiments/rtp-hdrext/playout-delay";
    /// <summary>3GPP TS 26.114 coordination of video orientation.</summary>
    public const string VideoOrientationUri = "urn:3gpp:video-orientation";
    /// <summary>abs-capture-time.</summary>
    public const string AbsCaptureTimeUri = "http://www.webrtc.org/experiments/rtp-hdrext/abs-capture-time";

    /// <summary>Data length of abs-send-time.</summary>
    public const int AbsSendTimeLength = 3;

    /// <summary>Reads an SDES-style identifier (mid, rid, repaired rid): 1–255 bytes of ASCII/UTF-8.</summary>
    public static bool TryReadSdesString(ReadOnlySpan<byte> data, out ReadOnlySpan<byte> value)
    {
        // Some senders pad the value with NULs up to the element length; they are not part of it.
        int end = data.IndexOf((byte)0);
        value = end < 0 ? data : data[..end];
        return !value.IsEmpty;
    }

    /// <summary>Decodes an SDES-style identifier to a string (allocates; for the API surface, not the hot path).</summary>
    public static string? ReadSdesString(ReadOnlySpan<byte> data) =>
        TryReadSdesString(data, out var value) ? Encoding.UTF8.GetString(value) : null;

    /// <summary>Encodes an SDES-style identifier; returns the bytes written.</summary>
    public static int WriteSdesString(Span<byte> destination, string value) => Encoding.UTF8.GetBytes(value, destination);

    /// <summary>Reads abs-send-time: 24 bits, 6.18 fixed-point seconds.</summary>
    public static bool TryReadAbsSendTime(ReadOnlySpan<byte> data, out uint value)
    {
        value = 0;
        if (data.Length != AbsSendTimeLength)
        {
            return false;
        }

        value = (uint)((data[0] << 16) | (data[1] << 8) | data[2]);
        return true;
    }

    /// <summary>Writes abs-send-time (the low 24 bits of <paramref name="value"/>).</summary>
    public static void WriteAbsSendTime(Span<byte> destination, uint value)
    {
        destination[0] = (byte)(value >> 16);
        destination[1] = (byte)(value >> 8);
        destination[2] = (byte)value;
    }

    /// <summary>abs-send-time from an NTP timestamp: the 6.18 fixed-point middle bits.</summary>
    public static uint AbsSendTimeFromNtp(NtpTime time) => (uint)(time.Value >> 14) & 0x00FFFFFF;

    /// <summary>Reads a transport-wide-cc sequence number.</summary>
    public static bool TryReadTransportSequenceNumber(ReadOnlySpan<byte> data, out ushort value)
    {
        value = 0;
        if (data.Length < 2)
        {
            return false;
        }

        value = BinaryPrimitives.ReadUInt16BigEndian(data);
        return true;
    }

    /// <summary>Reads ssrc-audio-level (RFC 6464 §3): V flag and level in -dBov (0–127).</summary>
    public static bool TryReadAudioLevel(ReadOnlySpan<byte> data, out bool voiceActivity, out byte level)
    {
        voiceActivity = false;
        level = 0;
        if (data.IsEmpty)
        {
            return false;
        }

        voiceActivity = (data[0] & 0x80) != 0;
        level = (byte)(data[0] & 0x7F);
        return true;
    }

    /// <summary>Writes ssrc-audio-level (one byte).</summary>
    public static void WriteAudioLevel(Span<byte> destination, bool voiceActivity, byte level)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(level, (byte)127);
        destination[0] = (byte)((voiceActivity ? 0x80 : 0) | level);
    }

    /// <summary>Reads playout-delay: two 12-bit values in 10 ms units.</summary>
    public static bool TryReadPlayoutDelay(ReadOnlySpan<byte> data, out int minimum, out int maximum)
    {
        minimum = maximum = 0;
        if (data.Length != 3)
        {
            return false;
        }

        minimum = (data[0] << 4) | (data[1] >> 4);
        maximum = ((data[1] & 0x0F) << 8) | data[2];
        return true;
    }

    /// <summary>Writes playout-delay (3 bytes; values 0–4095 in 10 ms units).</summary>
    public static void WritePlayoutDelay(Span<byte> destination, int minimum, int maximum)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)minimum, 4095u, nameof(minimum));
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)maximum, 4095u, nameof(maximum));
        destination[0] = (byte)(minimum >> 4);
        destination[1] = (byte)(((minimum & 0x0F) << 4) | (maximum >> 8));
        destination[2] = (byte)maximum;
    }

    /// <summary>Reads video-orientation (TS 26.114 §7.4.5): C, F and rotation in degrees (0, 90, 180, 270).</summary>
    public static bool TryReadVideoOrientation(ReadOnlySpan<byte> data, out bool camera, out bool flip, out int rotation)
    {
        camera = flip = false;
        rotation = 0;
        if (data.IsEmpty)
        {
            return false;
        }

        camera = (data[0] & 0x08) != 0;
        flip = (data[0] & 0x04) != 0;
        rotation = (data[0] & 0x03) * 90;
        return true;
    }

    /// <summary>Writes video-orientation (one byte).</summary>
    public static void WriteVideoOrientation(Span<byte> destination, bool camera, bool flip, int rotation)
    {
        if (rotation is not (0 or 90 or 180 or 270))
        {
            throw new ArgumentOutOfRangeException(nameof(rotation), "Rotation is 0, 90, 180 or 270.");
        }

        destination[0] = (byte)((camera ? 0x08 : 0) | (flip ? 0x04 : 0) | (rotation / 90));
    }

    /// <summary>Reads abs-capture-time: a 64-bit NTP capture time and an optional 64-bit estimated clock offset (Q32.32).</summary>
    public static bool TryReadAbsCaptureTime(ReadOnlySpan<byte> data, out NtpTime captureTime, out long? clockOffset)
    {
        captureTime = default;
        clockOffset = null;
        if (data.Length is not (8 or 16))
        {
            return false;
        }

        captureTime = new NtpTime(BinaryPrimitives.ReadUInt64BigEndian(data));
        if (data.Length == 16)
        {
            clockOffset = BinaryPrimitives.ReadInt64BigEndian(data[8..]);
        }

        return true;
    }

    /// <summary>Writes abs-capture-time; returns 8 or 16.</summary>
    public static int WriteAbsCaptureTime(Span<byte> destination, NtpTime captureTime, long? clockOffset = null)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, captureTime.Value);
        if (clockOffset is long offset)
        {
            BinaryPrimitives.WriteInt64BigEndian(destination[8..], offset);
            return 16;
        }

        return 8;
    }
}
