using System.Runtime.InteropServices;

namespace WebRtc.Client.Codecs.FFmpeg;

/// <summary>
/// The few libvpx entry points that change a running encoder's rate in place. FFmpeg 5.1's libvpx
/// wrapper reads <c>bit_rate</c> only when opened (its per-frame reconfigure covers <c>qmax</c> alone),
/// but it keeps libvpx's <c>vpx_codec_ctx_t</c> at a fixed place in its private context, and libvpx
/// applies a new <c>vpx_codec_enc_cfg</c> between frames through <c>vpx_codec_enc_config_set</c> —
/// the same call FFmpeg makes itself for <c>qmax</c>. We find that context, check it is the one we
/// expect (interface pointer, frame size), copy its live configuration, change the rate fields and
/// hand it back. Only libvpx versions whose configuration layout was checked are used; anything else
/// makes <see cref="Instance"/> null and the encoder falls back to re-opening.
/// </summary>
internal sealed unsafe class LibVpx
{
    // vpx_codec_ctx_t (vpx/vpx_codec.h; stable since libvpx 1.0).
    public const int ContextInterface = 8;
    public const int ContextConfig = 40;
    public const int ContextPrivate = 48;

    // struct vpx_codec_enc_cfg, libvpx 1.12 (ABI 25), checked against the headers by a test.
    public const int ConfigSize = 504;
    public const int ConfigWidth = 12;
    public const int ConfigHeight = 16;
    public const int ConfigTargetBitrate = 112;
    public const int ConfigSpatialTargetBitrate = 196;
    public const int ConfigTemporalLayerCount = 216;
    public const int ConfigTemporalTargetBitrate = 220;
    public const int ConfigLayerTargetBitrate = 328;
    public const int MaxTemporalLayers = 5;

    /// <summary>FFmpeg's VPxContext starts with its AVClass pointer, then the libvpx encoder context.</summary>
    public const int FFmpegPrivateEncoder = 8;

    /// <summary>libvpx versions (major, minor) whose vpx_codec_enc_cfg layout is the one above.</summary>
    private static readonly (int Major, int Minor)[] KnownVersions = [(1, 12)];

    private static readonly Lazy<LibVpx?> Shared = new(() => Load(["libvpx.so.7", "libvpx.so.8", "libvpx.so.9"]));

    private readonly delegate* unmanaged<nint> _vp8;
    private readonly delegate* unmanaged<nint> _vp9;
    private readonly delegate* unmanaged<nint, nint, int> _configSet;
    private readonly delegate* unmanaged<nint, nint> _errorDetail;

    private LibVpx(nint lib, int version)
    {
        _vp8 = (delegate* unmanaged<nint>)NativeLibrary.GetExport(lib, "vpx_codec_vp8_cx");
        _vp9 = (delegate* unmanaged<nint>)NativeLibrary.GetExport(lib, "vpx_codec_vp9_cx");
        _configSet = (delegate* unmanaged<nint, nint, int>)NativeLibrary.GetExport(lib, "vpx_codec_enc_config_set");
        _errorDetail = (delegate* unmanaged<nint, nint>)NativeLibrary.GetExport(lib, "vpx_codec_error_detail");
        Version = $"{version >> 16}.{(version >> 8) & 0xFF}.{version & 0xFF}";
    }

    /// <summary>The loaded libvpx, or null when none with a known layout is installed.</summary>
    public static LibVpx? Instance => Shared.Value;

    public string Version { get; }

    private static LibVpx? Load(IReadOnlyList<string> candidates)
    {
        foreach (string candidate in candidates)
        {
            if (!NativeLibrary.TryLoad(candidate, out nint lib))
            {
                continue;
            }

            if (!NativeLibrary.TryGetExport(lib, "vpx_codec_version", out nint versionExport))
            {
                continue;
            }

            int version = ((delegate* unmanaged<int>)versionExport)();
            if (KnownVersions.Contains((version >> 16, (version >> 8) & 0xFF)))
            {
                return new LibVpx(lib, version);
            }
        }

        return null;
    }

    /// <summary>
    /// The libvpx encoder context inside an opened libavcodec <c>libvpx</c>/<c>libvpx-vp9</c> context,
    /// or 0 when what sits there is not the encoder we opened (an FFmpeg build with another layout).
    /// </summary>
    public nint FindEncoder(nint codecContext, bool vp9, int width, int height)
    {
        nint priv = *(nint*)(codecContext + AVLayout.CodecContextPrivData);
        if (priv == 0)
        {
            return 0;
        }

        nint encoder = priv + FFmpegPrivateEncoder;
        nint expected = vp9 ? _vp9() : _vp8();
        if (expected == 0 || *(nint*)(encoder + ContextInterface) != expected || *(nint*)(encoder + ContextPrivate) == 0)
        {
            return 0;
        }

        nint config = *(nint*)(encoder + ContextConfig);
        if (config == 0 || *(uint*)(config + ConfigWidth) != (uint)width || *(uint*)(config + ConfigHeight) != (uint)height)
        {
            return 0;
        }

        return encoder;
    }

    /// <summary>Temporal layers the running encoder was configured with.</summary>
    public static int TemporalLayers(nint encoder) => (int)*(uint*)(*(nint*)(encoder + ContextConfig) + ConfigTemporalLayerCount);

    /// <summary>The running encoder's target in kbit/s.</summary>
    public static int TargetKbps(nint encoder) => (int)*(uint*)(*(nint*)(encoder + ContextConfig) + ConfigTargetBitrate);

    /// <summary>
    /// Sets a new target (kbit/s) on a running encoder, splitting it over the temporal layers by
    /// <paramref name="cumulativeShares"/> (the share of the target carried by layers 0..i).
    /// Returns null on success, or libvpx's error.
    /// </summary>
    public string? SetTargetBitrate(nint encoder, int kbps, ReadOnlySpan<double> cumulativeShares)
    {
        byte* config = stackalloc byte[ConfigSize];
        new ReadOnlySpan<byte>((void*)*(nint*)(encoder + ContextConfig), ConfigSize).CopyTo(new Span<byte>(config, ConfigSize));
        *(uint*)(config + ConfigTargetBitrate) = (uint)kbps;
        *(uint*)(config + ConfigSpatialTargetBitrate) = (uint)kbps;
        int layers = (int)*(uint*)(config + ConfigTemporalLayerCount);
        if (layers > 1)
        {
            // VP8 reads ts_target_bitrate, VP9's SVC path layer_target_bitrate; both cumulative.
            for (int i = 0; i < Math.Min(layers, cumulativeShares.Length); i++)
            {
                uint layerKbps = (uint)Math.Max(1, Math.Round(kbps * cumulativeShares[i]));
                ((uint*)(config + ConfigTemporalTargetBitrate))[i] = layerKbps;
                ((uint*)(config + ConfigLayerTargetBitrate))[i] = layerKbps;
            }
        }

        int rc = _configSet(encoder, (nint)config);
        if (rc == 0)
        {
            return null;
        }

        nint detail = _errorDetail(encoder);
        return $"vpx_codec_enc_config_set failed ({rc}){(detail == 0 ? string.Empty : ": " + Marshal.PtrToStringUTF8(detail))}";
    }
}
