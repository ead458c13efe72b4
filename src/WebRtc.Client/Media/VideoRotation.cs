namespace WebRtc.Client.Media;

/// <summary>Clockwise rotation a renderer applies to a frame (the RTP video-orientation extension).</summary>
public enum VideoRotation
{
    /// <summary>No rotation.</summary>
    None = 0,

    /// <summary>90 degrees clockwise.</summary>
    Rotate90 = 90,

    /// <summary>180 degrees.</summary>
    Rotate180 = 180,

    /// <summary>270 degrees clockwise.</summary>
    Rotate270 = 270,
}
