using System.Security.Cryptography;

namespace WebRtc.Client.Srtp;

/// <summary>Per-SSRC state, session keys, and test hooks.</summary>
public sealed partial class SrtpContext
{
    /// <summary>Creates a context from session keys directly (RFC 7714 §16/§17 vectors give session keys).</summary>
    internal static SrtpContext CreateFromSessionKeys(
        SrtpProfile profile, ReadOnlySpan<byte> rtpKey, ReadOnlySpan<byte> rtpSalt, ReadOnlySpan<byte> rtpAuthKey,
        ReadOnlySpan<byte> rtcpKey, ReadOnlySpan<byte> rtcpSalt, ReadOnlySpan<byte> rtcpAuthKey, int maxStreams = DefaultMaxStreams) =>
        new(profile, new SessionKeys(rtpKey.ToArray(), rtpSalt.ToArray(), rtpAuthKey.ToArray(), rtcpKey.ToArray(), rtcpSalt.ToArray(), rtcpAuthKey.ToArray()), maxStreams);

    /// <summary>Derives all six session keys (RFC 3711 §4.3.1, labels 0–5).</summary>
    internal static SessionKeys DeriveSessionKeys(SrtpProfile profile, ReadOnlySpan<byte> masterKey, ReadOnlySpan<byte> masterSalt)
    {
        if (!profile.IsSupported())
        {
            throw new ArgumentOutOfRangeException(nameof(profile), profile, "Unsupported SRTP protection profile.");
        }

        if (masterKey.Length != profile.GetKeyLength())
        {
            throw new ArgumentException($"{profile} needs a {profile.GetKeyLength()}-byte master key.", nameof(masterKey));
        }

        if (masterSalt.Length != profile.GetSaltLength())
        {
            throw new ArgumentException($"{profile} needs a {profile.GetSaltLength()}-byte master salt.", nameof(masterSalt));
        }

        int keyLength = profile.GetKeyLength();
        int saltLength = profile.GetSaltLength();
        int authLength = profile.IsAead() ? 0 : HmacSha1Length;
        using var prf = new AesCtr(masterKey);
        var keys = new SessionKeys(
            new byte[keyLength], new byte[saltLength], new byte[authLength],
            new byte[keyLength], new byte[saltLength], new byte[authLength]);
        SrtpKeyDerivation.Derive(prf, masterSalt, SrtpKeyDerivation.RtpEncryption, keys.RtpKey);
        SrtpKeyDerivation.Derive(prf, masterSalt, SrtpKeyDerivation.RtpAuthentication, keys.RtpAuthKey);
        SrtpKeyDerivation.Derive(prf, masterSalt, SrtpKeyDerivation.RtpSalt, keys.RtpSalt);
        SrtpKeyDerivation.Derive(prf, masterSalt, SrtpKeyDerivation.RtcpEncryption, keys.RtcpKey);
        SrtpKeyDerivation.Derive(prf, masterSalt, SrtpKeyDerivation.RtcpAuthentication, keys.RtcpAuthKey);
        SrtpKeyDerivation.Derive(prf, masterSalt, SrtpKeyDerivation.RtcpSalt, keys.RtcpSalt);
        return keys;
    }

    /// <summary>Test hook: the receive-side ROC of <paramref name="ssrc"/>.</summary>
    internal bool TryGetReceiveRolloverCounter(uint ssrc, out uint roc)
    {
        Stream? stream = FindStream(ssrc);
        roc = stream?.RecvRoc ?? 0;
        return stream is { RecvStarted: true };
    }

    /// <summary>Test hook: the send-side ROC of <paramref name="ssrc"/>.</summary>
    internal bool TryGetSendRolloverCounter(uint ssrc, out uint roc)
    {
        Stream? stream = FindStream(ssrc);
        roc = stream?.SendRoc ?? 0;
        return stream is { SendStarted: true };
    }

    /// <summary>Test hook: sets the next SRTCP index sent for <paramref name="ssrc"/>.</summary>
    internal void SetNextSrtcpIndex(uint ssrc, uint index)
    {
        Stream stream = GetOrCreateStream(ssrc) ?? throw new InvalidOperationException("Stream cap reached.");
        stream.SrtcpSendIndex = index & 0x7FFF_FFFF;
    }

    /// <summary>Benchmark hook: forgets receive-side ROC and replay state of every stream, without allocating.</summary>
    internal void ResetReceiveState()
    {
        for (int i = 0; i < _streamCount; i++)
        {
            Stream s = _streams[i]!;
            s.RecvStarted = false;
            s.RtpWindow.Reset();
            s.RtcpWindow.Reset();
        }
    }

    private Stream? FindStream(uint ssrc)
    {
        Stream? last = _lastStream;
        if (last is not null && last.Ssrc == ssrc)
        {
            return last;
        }

        Stream?[] streams = _streams;
        for (int i = 0; i < _streamCount; i++)
        {
            Stream s = streams[i]!;
            if (s.Ssrc == ssrc)
            {
                _lastStream = s;
                return s;
            }
        }

        return null;
    }

    private Stream? GetOrCreateStream(uint ssrc) =>
        FindStream(ssrc) ?? (_streamCount < _streams.Length ? CreateStream(ssrc) : null);

    private Stream CreateStream(uint ssrc)
    {
        var stream = new Stream(ssrc);
        _streams[_streamCount++] = stream;
        _lastStream = stream;
        return stream;
    }

    /// <summary>State of one SSRC in this direction.</summary>
    private sealed class Stream(uint ssrc)
    {
        public readonly uint Ssrc = ssrc;
        public readonly SrtpReplayWindow RtpWindow = new();
        public readonly SrtpReplayWindow RtcpWindow = new();
        public bool SendStarted;
        public uint SendRoc;
        public ushort SendSeq;
        public long SendHighest = -1;
        public bool RecvStarted;
        public uint RecvRoc;
        public ushort RecvSeq;
        public uint SrtcpSendIndex;
    }

    /// <summary>The six session keys; cleared once the ciphers hold them.</summary>
    internal readonly record struct SessionKeys(byte[] RtpKey, byte[] RtpSalt, byte[] RtpAuthKey, byte[] RtcpKey, byte[] RtcpSalt, byte[] RtcpAuthKey)
    {
        /// <summary>Zeroes the keys (the salts stay: the context keeps them).</summary>
        public void Clear()
        {
            CryptographicOperations.ZeroMemory(RtpKey);
            CryptographicOperations.ZeroMemory(RtpAuthKey);
            CryptographicOperations.ZeroMemory(RtcpKey);
            CryptographicOperations.ZeroMemory(RtcpAuthKey);
        }
    }
}
