using System.Buffers.Binary;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Macs;
using Org.BouncyCastle.Crypto.Modes;
using Org.BouncyCastle.Crypto.Parameters;

namespace WebRtc.Client.Benchmarks;

/// <summary>
/// Baseline: SRTP the way C# stacks built on BouncyCastle do it today (AES-CM via SicBlockCipher
/// re-initialised per packet, HMac(Sha1Digest), GcmBlockCipher with AeadParameters per packet).
/// Session keys are given; no replay or ROC tracking (ROC 0), so it is a lower bound for that approach.
/// </summary>
public sealed class BouncyCastleSrtp
{
    private readonly bool _gcm;
    private readonly KeyParameter _key;
    private readonly byte[] _salt;
    private readonly int _tagLength;
    private readonly SicBlockCipher? _ctr;
    private readonly HMac? _hmac;
    private readonly GcmBlockCipher? _gcmCipher;
    private readonly byte[] _scratch = new byte[2048];

    public BouncyCastleSrtp(bool gcm, byte[] sessionKey, byte[] sessionSalt, byte[]? authKey)
    {
        _gcm = gcm;
        _key = new KeyParameter(sessionKey);
        _salt = sessionSalt;
        if (gcm)
        {
            _gcmCipher = new GcmBlockCipher(AesUtilities.CreateEngine());
            _tagLength = 16;
        }
        else
        {
            _ctr = new SicBlockCipher(AesUtilities.CreateEngine());
            _hmac = new HMac(new Sha1Digest());
            _hmac.Init(new KeyParameter(authKey!));
            _tagLength = 10;
        }
    }

    public int Protect(byte[] buffer, int length, int headerLength)
    {
        uint ssrc = BinaryPrimitives.ReadUInt32BigEndian(buffer.AsSpan(8));
        ushort seq = BinaryPrimitives.ReadUInt16BigEndian(buffer.AsSpan(2));
        if (_gcm)
        {
            byte[] aad = buffer.AsSpan(0, headerLength).ToArray();
            _gcmCipher!.Init(true, new AeadParameters(_key, 128, GcmNonce(ssrc, seq), aad));
            int n = _gcmCipher.ProcessBytes(buffer, headerLength, length - headerLength, _scratch, 0);
            n += _gcmCipher.DoFinal(_scratch, n);
            Buffer.BlockCopy(_scratch, 0, buffer, headerLength, n);
            return headerLength + n;
        }

        Ctr(buffer, headerLength, length - headerLength, ssrc, seq);
        Mac(buffer, length);
        Buffer.BlockCopy(_scratch, 0, buffer, length, _tagLength);
        return length + _tagLength;
    }

    public int Unprotect(byte[] buffer, int length, int headerLength)
    {
        uint ssrc = BinaryPrimitives.ReadUInt32BigEndian(buffer.AsSpan(8));
        ushort seq = BinaryPrimitives.ReadUInt16BigEndian(buffer.AsSpan(2));
        if (_gcm)
        {
            byte[] aad = buffer.AsSpan(0, headerLength).ToArray();
            _gcmCipher!.Init(false, new AeadParameters(_key, 128, GcmNonce(ssrc, seq), aad));
            int n = _gcmCipher.ProcessBytes(buffer, headerLength, length - headerLength, _scratch, 0);
            n += _gcmCipher.DoFinal(_scratch, n); // throws InvalidCipherTextException on a bad tag
            Buffer.BlockCopy(_scratch, 0, buffer, headerLength, n);
            return headerLength + n;
        }

        int body = length - _tagLength;
        Mac(buffer, body);
        if (!Org.BouncyCastle.Utilities.Arrays.FixedTimeEquals(_tagLength, _scratch, 0, buffer, body))
        {
            return -1;
        }

        Ctr(buffer, headerLength, body - headerLength, ssrc, seq);
        return body;
    }

    private void Ctr(byte[] buffer, int offset, int count, uint ssrc, ushort seq)
    {
        byte[] iv = new byte[16];
        _salt.CopyTo(iv, 0);
        for (int i = 0; i < 4; i++)
        {
            iv[4 + i] ^= (byte)(ssrc >> (24 - (8 * i)));
        }

        iv[12] ^= (byte)(seq >> 8);
        iv[13] ^= (byte)seq;
        _ctr!.Init(true, new ParametersWithIV(_key, iv));
        byte[] zero = new byte[16];
        byte[] block = new byte[16];
        for (int done = 0; done < count; done += 16)
        {
            _ctr.ProcessBlock(zero, 0, block, 0);
            int n = Math.Min(16, count - done);
            for (int i = 0; i < n; i++)
            {
                buffer[offset + done + i] ^= block[i];
            }
        }
    }

    private void Mac(byte[] buffer, int length)
    {
        _hmac!.BlockUpdate(buffer, 0, length);
        _hmac.BlockUpdate(new byte[4], 0, 4); // ROC 0
        _hmac.DoFinal(_scratch, 0);
    }

    private byte[] GcmNonce(uint ssrc, ushort seq)
    {
        byte[] nonce = new byte[12];
        BinaryPrimitives.WriteUInt32BigEndian(nonce.AsSpan(2), ssrc);
        BinaryPrimitives.WriteUInt16BigEndian(nonce.AsSpan(10), seq);
        for (int i = 0; i < 12; i++)
        {
            nonce[i] ^= _salt[i];
        }

        return nonce;
    }
}
