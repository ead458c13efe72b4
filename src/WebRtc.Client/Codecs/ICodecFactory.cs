namespace WebRtc.Client.Codecs;

/// <summary>Makes encoders and decoders for one audio codec.</summary>
public interface IAudioCodecFactory
{
    /// <summary>Creates an encoder.</summary>
    /// <param name="settings">Channels, frame duration and rate.</param>
    IAudioEncoder CreateEncoder(AudioEncoderSettings settings);

    /// <summary>Creates a decoder.</summary>
    /// <param name="channels">Output channels.</param>
    IAudioDecoder CreateDecoder(int channels);
}

/// <summary>Makes encoders and decoders for one video codec.</summary>
public interface IVideoCodecFactory
{
    /// <summary>Creates an encoder.</summary>
    /// <param name="settings">Size, frame rate and initial bitrate.</param>
    IVideoEncoder CreateEncoder(VideoEncoderSettings settings);

    /// <summary>Creates a decoder.</summary>
    IVideoDecoder CreateDecoder();
}
