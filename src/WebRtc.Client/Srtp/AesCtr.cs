using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Security.Cryptography;
using AesNi = System.Runtime.Intrinsics.X86.Aes;

namespace WebRtc.Client.Srtp;

/// <summary>
/// AES counter mode (RFC 3711 §4.1.1) for one key: AES-NI with a key schedule expanded once,
/// eight blocks per round trip through the pipeline; otherwise a reused ECB transform.
/// The counter is the low 16 bits of the IV, which SRTP keeps zero (at most 2^16 blocks).
/// Not thread-safe: one instance per SRTP context and direction.
/// </summary>
internal sealed class AesCtr : IDisposable
{
    private const int BatchBlocks = 8;
    private const int BatchBytes = BatchBlocks * 16;

    private readonly Vector128<byte>[]? _roundKeys;
    private readonly int _rounds;
    private readonly Aes? _aes;
    private readonly ICryptoTransform? _ecb;
    private readonly byte[]? _counters;
    private readonly byte[]? _keystream;

    /// <summary>Creates the engine for a 16- or 32-byte key.</summary>
    public AesCtr(ReadOnlySpan<byte> key, bool forceSoftware = false)
    {
        if (key.Length is not (16 or 32))
        {
            throw new ArgumentException("AES key must be 16 or 32 bytes.", nameof(key));
        }

        if (AesNi.IsSupported && !forceSoftware)
        {
            _rounds = key.Length == 16 ? 10 : 14;
            _roundKeys = ExpandKey(key, _rounds);
        }
        else
        {
            _aes = Aes.Create();
            _aes.Key = key.ToArray();
            _aes.Mode = CipherMode.ECB;
            _aes.Padding = PaddingMode.None;
            _ecb = _aes.CreateEncryptor();
            _counters = new byte[BatchBytes];
            _keystream = new byte[BatchBytes];
        }
    }

    /// <summary>Whether the AES-NI path is in use.</summary>
    public bool IsHardwareAccelerated => _roundKeys is not null;

    /// <summary>XORs the keystream that starts at counter block <paramref name="iv"/> into <paramref name="data"/>.</summary>
    public void Transform(ReadOnlySpan<byte> iv, Span<byte> data)
    {
        if (_roundKeys is not null)
        {
            TransformNi(Vector128.Create(iv), data);
        }
        else
        {
            TransformSoftware(iv, data);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void TransformNi(Vector128<byte> iv, Span<byte> data)
    {
        ref Vector128<byte> rk = ref MemoryMarshal.GetArrayDataReference(_roundKeys!);
        ref byte d = ref MemoryMarshal.GetReference(data);
        int rounds = _rounds;
        int length = data.Length;
        int offset = 0;
        ushort block = 0;
        Vector128<byte> k0 = rk;
        Vector128<byte> kLast = Unsafe.Add(ref rk, rounds);

        while (length - offset >= BatchBytes)
        {
            var b0 = Counter(iv, block) ^ k0;
            var b1 = Counter(iv, (ushort)(block + 1)) ^ k0;
            var b2 = Counter(iv, (ushort)(block + 2)) ^ k0;
            var b3 = Counter(iv, (ushort)(block + 3)) ^ k0;
            var b4 = Counter(iv, (ushort)(block + 4)) ^ k0;
            var b5 = Counter(iv, (ushort)(block + 5)) ^ k0;
            var b6 = Counter(iv, (ushort)(block + 6)) ^ k0;
            var b7 = Counter(iv, (ushort)(block + 7)) ^ k0;
            for (int r = 1; r < rounds; r++)
            {
                var k = Unsafe.Add(ref rk, r);
                b0 = AesNi.Encrypt(b0, k);
                b1 = AesNi.Encrypt(b1, k);
                b2 = AesNi.Encrypt(b2, k);
                b3 = AesNi.Encrypt(b3, k);
                b4 = AesNi.Encrypt(b4, k);
                b5 = AesNi.Encrypt(b5, k);
                b6 = AesNi.Encrypt(b6, k);
                b7 = AesNi.Encrypt(b7, k);
            }

            Xor(ref d, offset, AesNi.EncryptLast(b0, kLast));
            Xor(ref d, offset + 16, AesNi.EncryptLast(b1, kLast));
            Xor(ref d, offset + 32, AesNi.EncryptLast(b2, kLast));
            Xor(ref d, offset + 48, AesNi.EncryptLast(b3, kLast));
            Xor(ref d, offset + 64, AesNi.EncryptLast(b4, kLast));
            Xor(ref d, offset + 80, AesNi.EncryptLast(b5, kLast));
            Xor(ref d, offset + 96, AesNi.EncryptLast(b6, kLast));
            Xor(ref d, offset + 112, AesNi.EncryptLast(b7, kLast));
            offset += BatchBytes;
            block += BatchBlocks;
        }

        while (offset < length)
        {
            var b = Counter(iv, block) ^ k0;
            for (int r = 1; r < rounds; r++)
            {
                b = AesNi.Encrypt(b, Unsafe.Add(ref rk, r));
            }

            b = AesNi.EncryptLast(b, kLast);
            int remaining = length - offset;
            if (remaining >= 16)
            {
                Xor(ref d, offset, b);
                offset += 16;
            }
            else
            {
                // Partial last block: byte by byte so nothing is read or written past the span.
                for (int i = 0; i < remaining; i++)
                {
                    Unsafe.Add(ref d, offset + i) ^= b.GetElement(i);
                }

                offset = length;
            }

            block++;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> Counter(Vector128<byte> iv, ushort block) =>
        iv ^ Vector128.Create(0, 0, 0, 0, 0, 0, 0, BinaryPrimitives.ReverseEndianness(block)).AsByte();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Xor(ref byte data, int offset, Vector128<byte> keystream)
    {
        ref byte p = ref Unsafe.Add(ref data, offset);
        Vector128.StoreUnsafe(Vector128.LoadUnsafe(ref p) ^ keystream, ref p);
    }

    private void TransformSoftware(ReadOnlySpan<byte> iv, Span<byte> data)
    {
        byte[] counters = _counters!;
        byte[] keystream = _keystream!;
        int offset = 0;
        int block = 0;
        while (offset < data.Length)
        {
            int chunk = Math.Min(BatchBytes, data.Length - offset);
            int blocks = (chunk + 15) / 16;
            for (int i = 0; i < blocks; i++)
            {
                Span<byte> c = counters.AsSpan(i * 16, 16);
                iv.CopyTo(c);
                ushort low = (ushort)(BinaryPrimitives.ReadUInt16BigEndian(c.Slice(14)) ^ (ushort)(block + i));
                BinaryPrimitives.WriteUInt16BigEndian(c.Slice(14), low);
            }

            _ecb!.TransformBlock(counters, 0, blocks * 16, keystream, 0);
            Span<byte> target = data.Slice(offset, chunk);
            for (int i = 0; i < chunk; i++)
            {
                target[i] ^= keystream[i];
            }

            offset += chunk;
            block += blocks;
        }
    }

    /// <summary>FIPS-197 §5.2 key expansion; SubWord borrows AESENCLAST (all four columns equal, so ShiftRows is a no-op).</summary>
    private static Vector128<byte>[] ExpandKey(ReadOnlySpan<byte> key, int rounds)
    {
        int nk = key.Length / 4;
        int words = 4 * (rounds + 1);
        Span<uint> w = stackalloc uint[60];
        for (int i = 0; i < nk; i++)
        {
            w[i] = BinaryPrimitives.ReadUInt32LittleEndian(key.Slice(i * 4));
        }

        uint rcon = 1;
        for (int i = nk; i < words; i++)
        {
            uint t = w[i - 1];
            if (i % nk == 0)
            {
                t = SubWord((t >> 8) | (t << 24)) ^ rcon;
                rcon = (rcon << 1) ^ ((rcon & 0x80) != 0 ? 0x11Bu : 0u);
            }
            else if (nk > 6 && i % nk == 4)
            {
                t = SubWord(t);
            }

            w[i] = w[i - nk] ^ t;
        }

        var result = new Vector128<byte>[rounds + 1];
        for (int r = 0; r <= rounds; r++)
        {
            result[r] = Vector128.Create(w[4 * r], w[(4 * r) + 1], w[(4 * r) + 2], w[(4 * r) + 3]).AsByte();
        }

        w.Clear();
        return result;
    }

    private static uint SubWord(uint word) =>
        AesNi.EncryptLast(Vector128.Create(word).AsByte(), Vector128<byte>.Zero).AsUInt32().ToScalar();

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_roundKeys is not null)
        {
            Array.Clear(_roundKeys);
        }

        _ecb?.Dispose();
        _aes?.Dispose();
    }
}
