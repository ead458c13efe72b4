namespace WebRtc.Client.Codecs;

/// <summary>
/// State and shared blocks of one G.722 sub-band ADPCM coder (ITU-T G.722 §3 and §4): the
/// adaptive predictor (block 4) and the scale-factor adaptation (blocks 3L/3H). Encoder and
/// decoder run the same code on the same values, so they stay in lock step.
/// </summary>
internal sealed class G722Band
{
    // Table 14 (ILB): 2^(x/32) scaled to 2048..4008 for the scale-factor antilog.
    private static readonly int[] Ilb =
    [
        2048, 2093, 2139, 2186, 2233, 2282, 2332, 2383, 2435, 2489, 2543, 2599, 2656, 2714, 2774, 2834,
        2896, 2960, 3025, 3091, 3158, 3228, 3298, 3371, 3444, 3520, 3597, 3676, 3756, 3838, 3922, 4008,
    ];

    private readonly int[] _r = new int[3];
    private readonly int[] _a = new int[3];
    private readonly int[] _ap = new int[3];
    private readonly int[] _p = new int[3];
    private readonly int[] _d = new int[7];
    private readonly int[] _b = new int[7];
    private readonly int[] _bp = new int[7];
    private readonly int[] _sg = new int[7];
    private int _sp;
    private int _sz;
    private int _nb;

    public G722Band(bool high)
    {
        High = high;
        Det = high ? 8 : 32;
    }

    public bool High { get; }

    /// <summary>Predicted signal (S).</summary>
    public int S { get; private set; }

    /// <summary>Quantizer scale factor (DET).</summary>
    public int Det { get; private set; }

    public static int Saturate(int value) => Math.Clamp(value, short.MinValue, short.MaxValue);

    /// <summary>Blocks 3L/3H, LOGSCL/SCALEL: log scale factor update, then its antilog.</summary>
    public void AdaptScale(int logStep)
    {
        int limit = High ? 22528 : 18432;
        _nb = Math.Clamp(((_nb * 127) >> 7) + logStep, 0, limit);
        int wd1 = (_nb >> 6) & 31;
        int wd2 = (High ? 10 : 8) - (_nb >> 11);
        int wd3 = wd2 < 0 ? Ilb[wd1] << -wd2 : Ilb[wd1] >> wd2;
        Det = wd3 << 2;
    }

    /// <summary>Block 4: reconstruct, update pole and zero predictor coefficients, predict the next sample.</summary>
    /// <param name="d">Quantized difference signal for this sample.</param>
    public void Predict(int d)
    {
        // RECONS and PARREC.
        _d[0] = d;
        _r[0] = Saturate(S + d);
        _p[0] = Saturate(_sz + d);

        // UPPOL2: second pole coefficient.
        for (int i = 0; i < 3; i++)
        {
            _sg[i] = _p[i] >> 15;
        }

        int wd1 = Saturate(_a[1] << 2);
        int wd2 = _sg[0] == _sg[1] ? -wd1 : wd1;
        wd2 = Math.Min(wd2, 32767);
        int wd3 = (_sg[0] == _sg[2] ? 128 : -128) + (wd2 >> 7) + ((_a[2] * 32512) >> 15);
        _ap[2] = Math.Clamp(wd3, -12288, 12288);

        // UPPOL1: first pole coefficient, bounded by the second for stability.
        _sg[0] = _p[0] >> 15;
        _sg[1] = _p[1] >> 15;
        wd1 = _sg[0] == _sg[1] ? 192 : -192;
        wd2 = (_a[1] * 32640) >> 15;
        _ap[1] = Saturate(wd1 + wd2);
        wd3 = Saturate(15360 - _ap[2]);
        _ap[1] = Math.Clamp(_ap[1], -wd3, wd3);

        // UPZERO: six zero coefficients, sign-sign adaptation.
        wd1 = d == 0 ? 0 : 128;
        _sg[0] = d >> 15;
        for (int i = 1; i < 7; i++)
        {
            _sg[i] = _d[i] >> 15;
            wd2 = _sg[i] == _sg[0] ? wd1 : -wd1;
            wd3 = (_b[i] * 32640) >> 15;
            _bp[i] = Saturate(wd2 + wd3);
        }

        // DELAYA.
        for (int i = 6; i > 0; i--)
        {
            _d[i] = _d[i - 1];
            _b[i] = _bp[i];
        }

        for (int i = 2; i > 0; i--)
        {
            _r[i] = _r[i - 1];
            _p[i] = _p[i - 1];
            _a[i] = _ap[i];
        }

        // FILTEP: pole section.
        wd1 = Saturate(_r[1] + _r[1]);
        wd1 = (_a[1] * wd1) >> 15;
        wd2 = Saturate(_r[2] + _r[2]);
        wd2 = (_a[2] * wd2) >> 15;
        _sp = Saturate(wd1 + wd2);

        // FILTEZ: zero section.
        int sz = 0;
        for (int i = 6; i > 0; i--)
        {
            wd1 = Saturate(_d[i] + _d[i]);
            sz += (_b[i] * wd1) >> 15;
        }

        _sz = Saturate(sz);

        // PREDIC.
        S = Saturate(_sp + _sz);
    }
}
