namespace WebRtc.Client.Codecs;

/// <summary>
/// Minimal packet-loss concealment for codecs without their own: replays the last decoded
/// samples, halving the level on each consecutive loss, which masks a single lost packet far
/// better than a hole and fades to silence over a burst.
/// </summary>
internal sealed class LastFrameConcealer
{
    private short[] _last = [];
    private int _lastLength;
    private int _losses;

    /// <summary>Remembers what was just decoded.</summary>
    public void Remember(ReadOnlySpan<short> decoded)
    {
        if (_last.Length < decoded.Length)
        {
            _last = new short[decoded.Length];
        }

        decoded.CopyTo(_last);
        _lastLength = decoded.Length;
        _losses = 0;
    }

    /// <summary>Fills <paramref name="output"/> with the faded repetition.</summary>
    public void Conceal(Span<short> output)
    {
        _losses++;
        int shift = Math.Min(_losses, 15);
        for (int i = 0; i < output.Length; i++)
        {
            output[i] = _lastLength == 0 ? (short)0 : (short)(_last[i % _lastLength] >> shift);
        }
    }
}
