using System.Globalization;

namespace WebRtc.Client.Packetization;

/// <summary>H.264 profiles as WebRTC negotiates them (RFC 6184 §8.1, with the constrained ones libwebrtc distinguishes).</summary>
public enum H264Profile
{
    /// <summary>Constrained Baseline.</summary>
    ConstrainedBaseline,
    /// <summary>Baseline.</summary>
    Baseline,
    /// <summary>Main.</summary>
    Main,
    /// <summary>Extended.</summary>
    Extended,
    /// <summary>Constrained High.</summary>
    ConstrainedHigh,
    /// <summary>High.</summary>
    High,
    /// <summary>Predictive High 4:4:4.</summary>
    PredictiveHigh444,
}

/// <summary>The fmtp <c>profile-level-id</c>: profile_idc, profile-iop (constraint flags) and level_idc (RFC 6184 §8.1).</summary>
/// <param name="ProfileIdc">profile_idc.</param>
/// <param name="ProfileIop">The constraint_set flags byte.</param>
/// <param name="LevelIdc">level_idc (level 1b is reported as 9).</param>
public readonly record struct H264ProfileLevelId(byte ProfileIdc, byte ProfileIop, byte LevelIdc)
{
    /// <summary>The level value used for level 1b.</summary>
    public const byte Level1b = 9;

    /// <summary>The profile these bytes name (constraint_set1 makes Baseline/Main Constrained Baseline; set4+5 makes High Constrained High).</summary>
    public H264Profile Profile => ProfileIdc switch
    {
        0x42 when (ProfileIop & 0x40) != 0 => H264Profile.ConstrainedBaseline,
        0x4D when (ProfileIop & 0x80) != 0 => H264Profile.ConstrainedBaseline,
        0x58 when (ProfileIop & 0xC0) == 0xC0 => H264Profile.ConstrainedBaseline,
        0x42 => H264Profile.Baseline,
        0x4D => H264Profile.Main,
        0x58 => H264Profile.Extended,
        0x64 when (ProfileIop & 0x0C) == 0x0C => H264Profile.ConstrainedHigh,
        0x64 => H264Profile.High,
        0xF4 => H264Profile.PredictiveHigh444,
        _ => H264Profile.High,
    };

    /// <summary>Parses six hex digits such as <c>42e01f</c>; false for anything else. Never throws.</summary>
    public static bool TryParse(string? value, out H264ProfileLevelId result)
    {
        result = default;
        if (value is null || value.Length != 6 || !uint.TryParse(value, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out uint bits))
        {
            return false;
        }

        byte profile = (byte)(bits >> 16), iop = (byte)(bits >> 8), level = (byte)bits;
        if (profile is not (0x42 or 0x4D or 0x58 or 0x64 or 0xF4 or 0x6E or 0x7A) || level == 0)
        {
            return false;
        }

        // Level 1b: level_idc 11 with constraint_set3 in Baseline/Main/Extended (RFC 6184 §8.1).
        if (level == 11 && (iop & 0x10) != 0 && profile is 0x42 or 0x4D or 0x58)
        {
            level = Level1b;
        }

        result = new H264ProfileLevelId(profile, iop, level);
        return true;
    }

    /// <summary>The six lowercase hex digits.</summary>
    public override string ToString()
    {
        byte level = LevelIdc == Level1b ? (byte)11 : LevelIdc;
        return string.Create(CultureInfo.InvariantCulture, $"{ProfileIdc:x2}{ProfileIop:x2}{level:x2}");
    }
}
