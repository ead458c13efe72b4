namespace WebRtc.Client.Codecs;

/// <summary>Quantizer and filter tables of ITU-T G.722 (64 kbit/s mode).</summary>
internal static class G722Tables
{
    /// <summary>Transmit and receive QMF coefficients (Table 11), one half of the symmetric 24 taps.</summary>
    public static readonly int[] Qmf = [3, -11, 12, 32, -210, 951, 3876, -805, 362, -156, 53, -11];

    /// <summary>Low-band 6-bit quantizer decision levels (Table 6, scaled).</summary>
    public static readonly int[] Q6 =
    [
        0, 35, 72, 110, 150, 190, 233, 276, 323, 370, 422, 473, 530, 587, 650, 714,
        786, 858, 940, 1023, 1121, 1219, 1339, 1458, 1612, 1765, 1980, 2195, 2557, 2919, 0, 0,
    ];

    /// <summary>Low-band codes for negative differences, by interval.</summary>
    public static readonly int[] Iln =
    [
        0, 63, 62, 31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19,
        18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 0,
    ];

    /// <summary>Low-band codes for positive differences, by interval.</summary>
    public static readonly int[] Ilp =
    [
        0, 61, 60, 59, 58, 57, 56, 55, 54, 53, 52, 51, 50, 49, 48, 47,
        46, 45, 44, 43, 42, 41, 40, 39, 38, 37, 36, 35, 34, 33, 32, 0,
    ];

    /// <summary>Low-band log scale-factor multipliers (WL), indexed through <see cref="Rl42"/>.</summary>
    public static readonly int[] Wl = [-60, -30, 58, 172, 334, 538, 1198, 3042];

    /// <summary>4-bit low-band code to WL index.</summary>
    public static readonly int[] Rl42 = [0, 7, 6, 5, 4, 3, 2, 1, 7, 6, 5, 4, 3, 2, 1, 0];

    /// <summary>4-bit inverse quantizer for the predictor path (Table 7).</summary>
    public static readonly int[] Qm4 =
    [
        0, -20456, -12896, -8968, -6288, -4240, -2584, -1200,
        20456, 12896, 8968, 6288, 4240, 2584, 1200, 0,
    ];

    /// <summary>6-bit inverse quantizer for the low-band output at 64 kbit/s (Table 6).</summary>
    public static readonly int[] Qm6 =
    [
        -136, -136, -136, -136, -24808, -21904, -19008, -16704, -14984, -13512, -12280, -11192, -10232, -9360, -8576, -7856,
        -7192, -6576, -6000, -5456, -4944, -4464, -4008, -3576, -3168, -2776, -2400, -2032, -1688, -1360, -1040, -728,
        24808, 21904, 19008, 16704, 14984, 13512, 12280, 11192, 10232, 9360, 8576, 7856, 7192, 6576, 6000, 5456,
        4944, 4464, 4008, 3576, 3168, 2776, 2400, 2032, 1688, 1360, 1040, 728, 432, 136, -432, -136,
    ];

    /// <summary>High-band codes for negative/positive differences by interval (IHN, IHP).</summary>
    public static readonly int[] Ihn = [0, 1, 0];

    /// <summary>High-band codes for positive differences.</summary>
    public static readonly int[] Ihp = [0, 3, 2];

    /// <summary>2-bit high-band inverse quantizer (Table 9).</summary>
    public static readonly int[] Qm2 = [-7408, -1616, 7408, 1616];

    /// <summary>High-band log scale-factor multipliers (WH), indexed through <see cref="Rh2"/>.</summary>
    public static readonly int[] Wh = [0, -214, 798];

    /// <summary>2-bit high-band code to WH index.</summary>
    public static readonly int[] Rh2 = [2, 1, 2, 1];
}
