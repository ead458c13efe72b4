namespace WebRtc.Client.Media;

/// <summary>
/// Streams interleaved 16-bit PCM of any rate and channel count into fixed-size frames of another
/// rate and channel count (what an audio encoder takes): channel mix, linear-interpolation resampling,
/// re-framing. Preallocated; nothing is allocated per frame once the formats settle.
/// </summary>
internal sealed class AudioConverter
{
    private readonly int _outRate;
    private readonly int _outChannels;
    private readonly short[] _frame;
    private int _filled; // samples per channel in _frame
    private int _inRate;
    private double _position; // fractional input position of the next output sample, relative to _last
    private readonly short[] _last = new short[8]; // the previous input sample (per output channel), for interpolation
    private bool _haveLast;

    public AudioConverter(int outRate, int outChannels, int frameSize)
    {
        _outRate = outRate;
        _outChannels = outChannels;
        FrameSize = frameSize;
        _frame = new short[frameSize * outChannels];
    }

    public int FrameSize { get; }

    /// <summary>Feeds one input frame; <paramref name="onFrame"/> gets each full output frame (valid during the call).</summary>
    public void Push(ReadOnlySpan<short> interleaved, int rate, int channels, Action<ReadOnlyMemory<short>> onFrame)
    {
        if (rate != _inRate)
        {
            _inRate = rate;
            _position = 0;
            _haveLast = false;
        }

        int frames = interleaved.Length / channels;
        if (rate == _outRate)
        {
            for (int i = 0; i < frames; i++)
            {
                Emit(interleaved.Slice(i * channels, channels), channels, onFrame);
            }

            return;
        }

        // Output sample k sits at input position k * in/out; interpolate between the two input samples around it.
        double step = (double)rate / _outRate;
        Span<short> current = stackalloc short[8];
        Span<short> mixed = stackalloc short[8];
        for (int i = 0; i < frames; i++)
        {
            Mix(interleaved.Slice(i * channels, channels), channels, current);
            if (!_haveLast)
            {
                current[.._outChannels].CopyTo(_last);
                _haveLast = true;
                _position = 0;
            }

            // Emit every output sample whose position lies in [last, current).
            while (_position < 1.0)
            {
                for (int c = 0; c < _outChannels; c++)
                {
                    mixed[c] = (short)Math.Round(_last[c] + ((current[c] - _last[c]) * _position));
                }

                Emit(mixed[.._outChannels], _outChannels, onFrame);
                _position += step;
            }

            _position -= 1.0;
            current[.._outChannels].CopyTo(_last);
        }
    }

    private void Mix(ReadOnlySpan<short> sample, int channels, Span<short> destination)
    {
        if (channels == _outChannels)
        {
            sample.CopyTo(destination);
            return;
        }

        int sum = 0;
        foreach (var s in sample)
        {
            sum += s;
        }

        // Down-mix to the average, up-mix by copying (mono to stereo), as encoders expect.
        short value = channels == 1 ? sample[0] : (short)(sum / channels);
        destination[.._outChannels].Fill(value);
    }

    private void Emit(ReadOnlySpan<short> sample, int channels, Action<ReadOnlyMemory<short>> onFrame)
    {
        Span<short> mixed = stackalloc short[8];
        Mix(sample, channels, mixed);
        mixed[.._outChannels].CopyTo(_frame.AsSpan(_filled * _outChannels));
        if (++_filled == FrameSize)
        {
            _filled = 0;
            onFrame(_frame);
        }
    }
}
