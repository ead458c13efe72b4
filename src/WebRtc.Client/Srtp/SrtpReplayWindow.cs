namespace WebRtc.Client.Srtp;

/// <summary>
/// Sliding replay window (RFC 3711 §3.3.2) of <see cref="Size"/> packet indices, kept as a ring of
/// bits indexed by packet index modulo the size, so advancing never shifts the whole mask.
/// </summary>
internal sealed class SrtpReplayWindow
{
    /// <summary>Window size in packets; large enough for video bursts reordered on the path.</summary>
    public const int Size = 1024;

    private readonly ulong[] _bits = new ulong[Size / 64];

    /// <summary>Highest accepted index, or -1 before the first packet.</summary>
    public long Highest { get; private set; } = -1;

    /// <summary>Whether <paramref name="index"/> is new and inside the window.</summary>
    public bool IsAcceptable(long index)
    {
        if (index > Highest)
        {
            return true;
        }

        if (Highest - index >= Size)
        {
            return false;
        }

        int bit = (int)(index & (Size - 1));
        return (_bits[bit >> 6] & (1UL << bit)) == 0;
    }

    /// <summary>Forgets every index (benchmark and re-key use).</summary>
    public void Reset()
    {
        Array.Clear(_bits);
        Highest = -1;
    }

    /// <summary>Marks <paramref name="index"/> received (after it authenticated).</summary>
    public void Accept(long index)
    {
        if (index > Highest)
        {
            long advance = Highest < 0 ? Size : index - Highest;
            if (advance >= Size)
            {
                Array.Clear(_bits);
            }
            else
            {
                for (long i = Highest + 1; i < index; i++)
                {
                    int b = (int)(i & (Size - 1));
                    _bits[b >> 6] &= ~(1UL << b);
                }
            }

            Highest = index;
        }

        int bit = (int)(index & (Size - 1));
        _bits[bit >> 6] |= 1UL << bit;
    }
}
