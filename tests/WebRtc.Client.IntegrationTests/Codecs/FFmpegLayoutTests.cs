using WebRtc.Client.Codecs;
using WebRtc.Client.Codecs.FFmpeg;

namespace WebRtc.Client.IntegrationTests.Codecs;

/// <summary>The AVFrame/AVPacket offsets we use, checked against the installed headers; and the missing-library error.</summary>
public class FFmpegLayoutTests
{
    private const string Program = """
        #include <stdio.h>
        #include <stddef.h>
        #include <libavutil/frame.h>
        #include <libavcodec/packet.h>
        #include <libavcodec/avcodec.h>
        #include <libavutil/error.h>
        #include <libavutil/opt.h>
        int main(void) {
            printf("FrameData %zu\n", offsetof(AVFrame, data));
            printf("FrameLinesize %zu\n", offsetof(AVFrame, linesize));
            printf("FrameWidth %zu\n", offsetof(AVFrame, width));
            printf("FrameHeight %zu\n", offsetof(AVFrame, height));
            printf("FrameFormat %zu\n", offsetof(AVFrame, format));
            printf("FramePictType %zu\n", offsetof(AVFrame, pict_type));
            printf("FramePts %zu\n", offsetof(AVFrame, pts));
            printf("CodecContextPrivData %zu\n", offsetof(AVCodecContext, priv_data));
            printf("PacketPts %zu\n", offsetof(AVPacket, pts));
            printf("PacketData %zu\n", offsetof(AVPacket, data));
            printf("PacketSize %zu\n", offsetof(AVPacket, size));
            printf("PacketFlags %zu\n", offsetof(AVPacket, flags));
            printf("PixelFormatYuv420P %d\n", AV_PIX_FMT_YUV420P);
            printf("PixelFormatYuvJ420P %d\n", AV_PIX_FMT_YUVJ420P);
            printf("PictureTypeNone %d\n", AV_PICTURE_TYPE_NONE);
            printf("PictureTypeI %d\n", AV_PICTURE_TYPE_I);
            printf("PacketFlagKey %d\n", AV_PKT_FLAG_KEY);
            printf("ErrorEof %d\n", AVERROR_EOF);
            printf("ErrorAgain %d\n", AVERROR(EAGAIN));
            printf("OptSearchChildren %d\n", AV_OPT_SEARCH_CHILDREN);
            printf("LogQuiet %d\n", AV_LOG_QUIET);
            printf("Version %d %d\n", LIBAVCODEC_VERSION_MAJOR, LIBAVUTIL_VERSION_MAJOR);
            return 0;
        }
        """;

    [Test]
    public void Offsets_and_constants_match_the_installed_headers()
    {
        string gcc = ExternalDependency.Require("gcc", "gcc");
        if (!File.Exists("/usr/include/x86_64-linux-gnu/libavcodec/packet.h") && !File.Exists("/usr/include/libavcodec/packet.h"))
        {
            ExternalDependency.Require("libavcodec-dev-headers", "libavcodec-dev");
        }

        using var tool = ExternalTool.Create();
        File.WriteAllText(tool.PathOf("layout.c"), Program);
        tool.Run(gcc, "-o", tool.PathOf("layout"), tool.PathOf("layout.c"));
        var measured = tool.Run(tool.PathOf("layout"))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' '))
            .ToDictionary(parts => parts[0], parts => parts[1..]);

        var fields = typeof(AVLayout).GetFields().Where(f => f.IsLiteral).ToList();
        Assert.That(fields, Has.Count.EqualTo(21));
        foreach (var field in fields)
        {
            Assert.That(measured.ContainsKey(field.Name), Is.True, $"{field.Name} is checked");
            Assert.That(measured[field.Name][0], Is.EqualTo(field.GetValue(null)!.ToString()), field.Name);
        }

        // The headers belong to the library we load at run time.
        var video = FFmpegCodecs.Vp8.CreateDecoder();
        video.Dispose();
        Assert.That($"{FFmpegLibrary.Instance.CodecMajor} {FFmpegLibrary.Instance.UtilMajor}", Is.EqualTo(string.Join(' ', measured["Version"])));
    }

    private const string VpxProgram = """
        #include <stdio.h>
        #include <stddef.h>
        #include <vpx/vpx_encoder.h>
        int main(void) {
            printf("ContextInterface %zu\n", offsetof(vpx_codec_ctx_t, iface));
            printf("ContextConfig %zu\n", offsetof(vpx_codec_ctx_t, config));
            printf("ContextPrivate %zu\n", offsetof(vpx_codec_ctx_t, priv));
            printf("ConfigSize %zu\n", sizeof(vpx_codec_enc_cfg_t));
            printf("ConfigWidth %zu\n", offsetof(vpx_codec_enc_cfg_t, g_w));
            printf("ConfigHeight %zu\n", offsetof(vpx_codec_enc_cfg_t, g_h));
            printf("ConfigTargetBitrate %zu\n", offsetof(vpx_codec_enc_cfg_t, rc_target_bitrate));
            printf("ConfigSpatialTargetBitrate %zu\n", offsetof(vpx_codec_enc_cfg_t, ss_target_bitrate));
            printf("ConfigTemporalLayerCount %zu\n", offsetof(vpx_codec_enc_cfg_t, ts_number_layers));
            printf("ConfigTemporalTargetBitrate %zu\n", offsetof(vpx_codec_enc_cfg_t, ts_target_bitrate));
            printf("ConfigLayerTargetBitrate %zu\n", offsetof(vpx_codec_enc_cfg_t, layer_target_bitrate));
            printf("MaxTemporalLayers %d\n", VPX_TS_MAX_LAYERS);
            printf("Version %d.%d\n", VPX_VERSION_MAJOR(vpx_codec_version()), VPX_VERSION_MINOR(vpx_codec_version()));
            return 0;
        }
        """;

    [Test]
    public void Libvpx_offsets_match_the_installed_headers()
    {
        string gcc = ExternalDependency.Require("gcc", "gcc");
        if (!File.Exists("/usr/include/vpx/vpx_encoder.h"))
        {
            // Only this check needs the headers; at run time the adapter verifies the context it finds.
            const string message = "libvpx headers are not installed: apt-get install -y libvpx-dev (./build.sh test installs it)";
            if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
            {
                Assert.Fail(message);
            }

            Assert.Ignore(message);
        }

        using var tool = ExternalTool.Create();
        File.WriteAllText(tool.PathOf("vpx.c"), VpxProgram);
        tool.Run(gcc, "-o", tool.PathOf("vpx"), tool.PathOf("vpx.c"), "-lvpx");
        var measured = tool.Run(tool.PathOf("vpx"))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' '))
            .ToDictionary(parts => parts[0], parts => parts[1]);

        var fields = typeof(LibVpx).GetFields().Where(f => f.IsLiteral && f.Name != nameof(LibVpx.FFmpegPrivateEncoder)).ToList();
        Assert.That(fields, Has.Count.EqualTo(12));
        foreach (var field in fields)
        {
            Assert.That(measured[field.Name], Is.EqualTo(field.GetValue(null)!.ToString()), field.Name);
        }

        // The library we bind is that version, and it is the one libavcodec uses (same interface object).
        Assert.That(LibVpx.Instance, Is.Not.Null);
        Assert.That(LibVpx.Instance!.Version, Does.StartWith(measured["Version"] + "."));
    }

    [Test]
    public void Missing_library_names_the_file_and_the_debian_package()
    {
        var codec = FFmpegCodecs.H264.WithLibraryPaths(["/nonexistent/libavcodec.so.59"], ["libavutil.so.57", "libavutil.so.58", "libavutil.so.59"]);
        var error = Assert.Throws<FFmpegNotFoundException>(() => codec.CreateEncoder(new VideoEncoderSettings { Width = 64, Height = 64 }));
        Assert.That(error!.Library, Is.EqualTo("libavcodec"));
        Assert.That(error.DebianPackage, Is.EqualTo("libavcodec59"));
        Assert.That(error.Message, Does.Contain("/nonexistent/libavcodec.so.59").And.Contain("apt-get install -y libavcodec59"));
        Assert.That(error, Is.InstanceOf<DllNotFoundException>());

        var noUtil = FFmpegCodecs.Vp8.WithLibraryPaths(["libavcodec.so.59"], ["/nonexistent/libavutil.so.57"]);
        var utilError = Assert.Throws<FFmpegNotFoundException>(() => noUtil.CreateDecoder());
        Assert.That(utilError!.Message, Does.Contain("libavutil").And.Contain("libavutil57"));
    }
}
