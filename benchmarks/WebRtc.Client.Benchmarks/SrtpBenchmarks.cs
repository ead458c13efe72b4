using System.Buffers.Binary;
using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using WebRtc.Client.Srtp;

namespace WebRtc.Client.Benchmarks;

/// <summary>
/// SRTP protect/unprotect of a 1200-byte payload (12-byte header) for every profile, against
/// (a) a BouncyCastle implementation of the same transform and (b) the floor: the bare .NET
/// primitives on the same bytes (one AES-CTR pass + one HMAC-SHA1, or one AesGcm seal/open).
/// </summary>
[MemoryDiagnoser]
public class SrtpBenchmarks
{
    private const int HeaderLength = 12;
    private const int PayloadLength = 1200;
    private const int PacketLength = HeaderLength + PayloadLength;
    private const int Ring = 1024;

    private readonly byte[] _buffer = new byte[2048];
    private readonly (SrtpContext Tx, SrtpContext Rx, byte[][] Wire)[] _contexts = new (SrtpContext, SrtpContext, byte[][])[9];
    private byte[] _plain = [];
    private int _next;
    private ushort _seq;

    private AesCtr _floorCtr = null!;
    private IncrementalHash _floorHmac = null!;
    private AesGcm _floorGcm128 = null!;
    private AesGcm _floorGcm256 = null!;
    private byte[] _gcmSealed = [];
    private byte[] _gcmTag = [];

    private BouncyCastleSrtp _bcSha1 = null!;
    private BouncyCastleSrtp _bcGcm = null!;
    private byte[] _bcSha1Wire = [];
    private byte[] _bcGcmWire = [];

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        _plain = new byte[PacketLength];
        random.NextBytes(_plain);
        _plain[0] = 0x80;
        _plain[1] = 96;
        BinaryPrimitives.WriteUInt32BigEndian(_plain.AsSpan(8), 0x11223344);

        foreach (var profile in new[] { SrtpProfile.AesCm128HmacSha1_80, SrtpProfile.AesCm128HmacSha1_32, SrtpProfile.AeadAes128Gcm, SrtpProfile.AeadAes256Gcm })
        {
            byte[] key = RandomNumberGenerator.GetBytes(profile.GetKeyLength());
            byte[] salt = RandomNumberGenerator.GetBytes(profile.GetSaltLength());
            var tx = new SrtpContext(profile, key, salt);
            var rx = new SrtpContext(profile, key, salt);
            var wire = new byte[Ring][];
            for (int i = 0; i < Ring; i++)
            {
                _plain.CopyTo(_buffer, 0);
                BinaryPrimitives.WriteUInt16BigEndian(_buffer.AsSpan(2), (ushort)i);
                tx.TryProtectRtp(_buffer, PacketLength, out int n);
                wire[i] = _buffer.AsSpan(0, n).ToArray();
            }

            _contexts[(int)profile] = (tx, rx, wire);
        }

        byte[] k16 = RandomNumberGenerator.GetBytes(16);
        _floorCtr = new AesCtr(k16);
        _floorHmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA1, RandomNumberGenerator.GetBytes(20));
        _floorGcm128 = new AesGcm(k16, 16);
        _floorGcm256 = new AesGcm(RandomNumberGenerator.GetBytes(32), 16);
        _gcmSealed = new byte[PayloadLength];
        _gcmTag = new byte[16];
        _floorGcm128.Encrypt(new byte[12], _plain.AsSpan(HeaderLength), _gcmSealed, _gcmTag, _plain.AsSpan(0, HeaderLength));

        _bcSha1 = new BouncyCastleSrtp(false, k16, RandomNumberGenerator.GetBytes(14), RandomNumberGenerator.GetBytes(20));
        _bcGcm = new BouncyCastleSrtp(true, k16, RandomNumberGenerator.GetBytes(12), null);
        _bcSha1Wire = new byte[2048];
        _plain.CopyTo(_bcSha1Wire, 0);
        _bcSha1.Protect(_bcSha1Wire, PacketLength, HeaderLength);
        _bcGcmWire = new byte[2048];
        _plain.CopyTo(_bcGcmWire, 0);
        _bcGcm.Protect(_bcGcmWire, PacketLength, HeaderLength);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var (tx, rx, _) in _contexts)
        {
            if (tx is null)
            {
                continue;
            }

            tx.Dispose();
            rx.Dispose();
        }

        _floorCtr.Dispose();
        _floorHmac.Dispose();
        _floorGcm128.Dispose();
        _floorGcm256.Dispose();
    }

    private int Protect(SrtpProfile profile)
    {
        // The payload is re-encrypted in place each call; only the sequence number is refreshed.
        BinaryPrimitives.WriteUInt16BigEndian(_buffer.AsSpan(2), _seq++);
        _buffer[0] = 0x80;
        _contexts[(int)profile].Tx.TryProtectRtp(_buffer, PacketLength, out int n);
        return n;
    }

    private int Unprotect(SrtpProfile profile)
    {
        var (_, rx, wire) = _contexts[(int)profile];
        int i = _next++ & (Ring - 1);
        if (i == Ring - 1)
        {
            // Once per 1024 packets: forget replay state so the ring of packets verifies again.
            rx.ResetReceiveState();
        }

        byte[] packet = wire[i];
        packet.CopyTo(_buffer, 0);
        rx.TryUnprotectRtp(_buffer, packet.Length, out int n);
        return n;
    }

    [Benchmark]
    public int Protect_Sha1_80() => Protect(SrtpProfile.AesCm128HmacSha1_80);

    [Benchmark]
    public int Unprotect_Sha1_80() => Unprotect(SrtpProfile.AesCm128HmacSha1_80);

    [Benchmark]
    public int Protect_Sha1_32() => Protect(SrtpProfile.AesCm128HmacSha1_32);

    [Benchmark]
    public int Unprotect_Sha1_32() => Unprotect(SrtpProfile.AesCm128HmacSha1_32);

    [Benchmark]
    public int Protect_Gcm128() => Protect(SrtpProfile.AeadAes128Gcm);

    [Benchmark]
    public int Unprotect_Gcm128() => Unprotect(SrtpProfile.AeadAes128Gcm);

    [Benchmark]
    public int Protect_Gcm256() => Protect(SrtpProfile.AeadAes256Gcm);

    [Benchmark]
    public int Unprotect_Gcm256() => Unprotect(SrtpProfile.AeadAes256Gcm);

    /// <summary>Floor for the SHA1 profiles: one AES-CTR pass (AES-NI loop) + one HMAC-SHA1 over header, payload and ROC.</summary>
    [Benchmark]
    public int Floor_CtrHmacSha1()
    {
        Span<byte> iv = stackalloc byte[16];
        Span<byte> mac = stackalloc byte[20];
        _floorCtr.Transform(iv, _buffer.AsSpan(HeaderLength, PayloadLength));
        _floorHmac.AppendData(_buffer.AsSpan(0, PacketLength + 4));
        _floorHmac.GetHashAndReset(mac);
        return mac[0];
    }

    /// <summary>Floor for AEAD_AES_128_GCM protect: one AesGcm seal in place.</summary>
    [Benchmark]
    public int Floor_Gcm128Seal()
    {
        Span<byte> nonce = stackalloc byte[12];
        _floorGcm128.Encrypt(nonce, _buffer.AsSpan(HeaderLength, PayloadLength), _buffer.AsSpan(HeaderLength, PayloadLength), _buffer.AsSpan(PacketLength, 16), _buffer.AsSpan(0, HeaderLength));
        return _buffer[PacketLength];
    }

    /// <summary>Floor for AEAD_AES_128_GCM unprotect: one AesGcm open.</summary>
    [Benchmark]
    public int Floor_Gcm128Open()
    {
        Span<byte> nonce = stackalloc byte[12];
        _floorGcm128.Decrypt(nonce, _gcmSealed, _gcmTag, _buffer.AsSpan(HeaderLength, PayloadLength), _plain.AsSpan(0, HeaderLength));
        return _buffer[HeaderLength];
    }

    /// <summary>Floor for AEAD_AES_256_GCM protect: one AesGcm seal in place.</summary>
    [Benchmark]
    public int Floor_Gcm256Seal()
    {
        Span<byte> nonce = stackalloc byte[12];
        _floorGcm256.Encrypt(nonce, _buffer.AsSpan(HeaderLength, PayloadLength), _buffer.AsSpan(HeaderLength, PayloadLength), _buffer.AsSpan(PacketLength, 16), _buffer.AsSpan(0, HeaderLength));
        return _buffer[PacketLength];
    }

    [Benchmark]
    public int BouncyCastle_Protect_Sha1_80()
    {
        _plain.CopyTo(_buffer, 0);
        BinaryPrimitives.WriteUInt16BigEndian(_buffer.AsSpan(2), _seq++);
        return _bcSha1.Protect(_buffer, PacketLength, HeaderLength);
    }

    [Benchmark]
    public int BouncyCastle_Unprotect_Sha1_80()
    {
        Buffer.BlockCopy(_bcSha1Wire, 0, _buffer, 0, PacketLength + 10);
        return _bcSha1.Unprotect(_buffer, PacketLength + 10, HeaderLength);
    }

    [Benchmark]
    public int BouncyCastle_Protect_Gcm128()
    {
        // BouncyCastle refuses to encrypt twice under one GCM nonce: advance the sequence number.
        _plain.CopyTo(_buffer, 0);
        BinaryPrimitives.WriteUInt16BigEndian(_buffer.AsSpan(2), _seq++);
        return _bcGcm.Protect(_buffer, PacketLength, HeaderLength);
    }

    [Benchmark]
    public int BouncyCastle_Unprotect_Gcm128()
    {
        Buffer.BlockCopy(_bcGcmWire, 0, _buffer, 0, PacketLength + 16);
        return _bcGcm.Unprotect(_buffer, PacketLength + 16, HeaderLength);
    }
}
