using System.Runtime.InteropServices;
using System.Text;

namespace WebRtc.Client.Codecs.FFmpeg;

/// <summary>
/// libavcodec and libavutil, found at run time by soname (newest first) and bound through
/// function pointers, so one build works against FFmpeg 5.1, 6 and 7. Loading is lazy: nothing is
/// probed until the first encoder or decoder is made.
/// </summary>
internal sealed unsafe class FFmpegLibrary
{
    /// <summary>libavcodec major versions we know, with the matching libavutil major.</summary>
    private static readonly (int Codec, int Util)[] KnownMajors = [(61, 59), (60, 58), (59, 57)];

    private static readonly Lazy<FFmpegLibrary> Shared = new(() => Load(
        KnownMajors.Select(m => $"libavcodec.so.{m.Codec}").ToArray(),
        KnownMajors.Select(m => $"libavutil.so.{m.Util}").ToArray()));

    private FFmpegLibrary(nint avcodec, nint avutil)
    {
        static nint Get(nint lib, string name) => NativeLibrary.GetExport(lib, name);

        avcodec_version = (delegate* unmanaged<uint>)Get(avcodec, "avcodec_version");
        avutil_version = (delegate* unmanaged<uint>)Get(avutil, "avutil_version");
        CodecMajor = (int)(avcodec_version() >> 16);
        UtilMajor = (int)(avutil_version() >> 16);
        if (!KnownMajors.Contains((CodecMajor, UtilMajor)))
        {
            throw new NotSupportedException(
                $"libavcodec {CodecMajor} with libavutil {UtilMajor} is not a version this adapter knows " +
                $"({string.Join(", ", KnownMajors.Select(m => $"{m.Codec}/{m.Util}"))}); the AVFrame/AVPacket layout it relies on is only checked for those.");
        }

        avcodec_find_encoder_by_name = (delegate* unmanaged<byte*, nint>)Get(avcodec, "avcodec_find_encoder_by_name");
        avcodec_find_decoder_by_name = (delegate* unmanaged<byte*, nint>)Get(avcodec, "avcodec_find_decoder_by_name");
        avcodec_alloc_context3 = (delegate* unmanaged<nint, nint>)Get(avcodec, "avcodec_alloc_context3");
        avcodec_open2 = (delegate* unmanaged<nint, nint, nint, int>)Get(avcodec, "avcodec_open2");
        avcodec_free_context = (delegate* unmanaged<nint*, void>)Get(avcodec, "avcodec_free_context");
        avcodec_send_frame = (delegate* unmanaged<nint, nint, int>)Get(avcodec, "avcodec_send_frame");
        avcodec_receive_packet = (delegate* unmanaged<nint, nint, int>)Get(avcodec, "avcodec_receive_packet");
        avcodec_send_packet = (delegate* unmanaged<nint, nint, int>)Get(avcodec, "avcodec_send_packet");
        avcodec_receive_frame = (delegate* unmanaged<nint, nint, int>)Get(avcodec, "avcodec_receive_frame");
        av_packet_alloc = (delegate* unmanaged<nint>)Get(avcodec, "av_packet_alloc");
        av_packet_free = (delegate* unmanaged<nint*, void>)Get(avcodec, "av_packet_free");
        av_packet_unref = (delegate* unmanaged<nint, void>)Get(avcodec, "av_packet_unref");
        av_new_packet = (delegate* unmanaged<nint, int, int>)Get(avcodec, "av_new_packet");
        av_frame_alloc = (delegate* unmanaged<nint>)Get(avutil, "av_frame_alloc");
        av_frame_free = (delegate* unmanaged<nint*, void>)Get(avutil, "av_frame_free");
        av_frame_get_buffer = (delegate* unmanaged<nint, int, int>)Get(avutil, "av_frame_get_buffer");
        av_frame_make_writable = (delegate* unmanaged<nint, int>)Get(avutil, "av_frame_make_writable");
        av_frame_unref = (delegate* unmanaged<nint, void>)Get(avutil, "av_frame_unref");
        av_opt_set = (delegate* unmanaged<nint, byte*, byte*, int, int>)Get(avutil, "av_opt_set");
        av_opt_set_int = (delegate* unmanaged<nint, byte*, long, int, int>)Get(avutil, "av_opt_set_int");
        av_strerror = (delegate* unmanaged<int, byte*, nuint, int>)Get(avutil, "av_strerror");
        var av_log_set_level = (delegate* unmanaged<int, void>)Get(avutil, "av_log_set_level");

        // Corrupt network input would otherwise print decoder errors on stderr; we report by return value.
        av_log_set_level(AVLayout.LogQuiet);
    }

#pragma warning disable SA1310, IDE1006 // FFmpeg's own names, so the calls read like its documentation.
    public readonly delegate* unmanaged<uint> avcodec_version;
    public readonly delegate* unmanaged<uint> avutil_version;
    public readonly delegate* unmanaged<byte*, nint> avcodec_find_encoder_by_name;
    public readonly delegate* unmanaged<byte*, nint> avcodec_find_decoder_by_name;
    public readonly delegate* unmanaged<nint, nint> avcodec_alloc_context3;
    public readonly delegate* unmanaged<nint, nint, nint, int> avcodec_open2;
    public readonly delegate* unmanaged<nint*, void> avcodec_free_context;
    public readonly delegate* unmanaged<nint, nint, int> avcodec_send_frame;
    public readonly delegate* unmanaged<nint, nint, int> avcodec_receive_packet;
    public readonly delegate* unmanaged<nint, nint, int> avcodec_send_packet;
    public readonly delegate* unmanaged<nint, nint, int> avcodec_receive_frame;
    public readonly delegate* unmanaged<nint> av_packet_alloc;
    public readonly delegate* unmanaged<nint*, void> av_packet_free;
    public readonly delegate* unmanaged<nint, void> av_packet_unref;
    public readonly delegate* unmanaged<nint, int, int> av_new_packet;
    public readonly delegate* unmanaged<nint> av_frame_alloc;
    public readonly delegate* unmanaged<nint*, void> av_frame_free;
    public readonly delegate* unmanaged<nint, int, int> av_frame_get_buffer;
    public readonly delegate* unmanaged<nint, int> av_frame_make_writable;
    public readonly delegate* unmanaged<nint, void> av_frame_unref;
    public readonly delegate* unmanaged<nint, byte*, byte*, int, int> av_opt_set;
    public readonly delegate* unmanaged<nint, byte*, long, int, int> av_opt_set_int;
    public readonly delegate* unmanaged<int, byte*, nuint, int> av_strerror;
#pragma warning restore SA1310, IDE1006

    public int CodecMajor { get; }

    public int UtilMajor { get; }

    /// <summary>The process-wide instance; throws <see cref="FFmpegNotFoundException"/> when a library is missing.</summary>
    public static FFmpegLibrary Instance => Shared.Value;

    /// <summary>Loads from explicit candidates (file names or paths), first that loads wins.</summary>
    internal static FFmpegLibrary Load(IReadOnlyList<string> avcodecCandidates, IReadOnlyList<string> avutilCandidates)
    {
        nint avutil = Probe("libavutil", avutilCandidates, "libavutil57");
        nint avcodec = Probe("libavcodec", avcodecCandidates, "libavcodec59");
        return new FFmpegLibrary(avcodec, avutil);
    }

    private static nint Probe(string library, IReadOnlyList<string> candidates, string package)
    {
        foreach (string candidate in candidates)
        {
            if (NativeLibrary.TryLoad(candidate, out nint handle))
            {
                return handle;
            }
        }

        throw new FFmpegNotFoundException(library, candidates, package);
    }

    public string ErrorText(int error)
    {
        byte* buffer = stackalloc byte[256];
        if (av_strerror(error, buffer, 256) < 0)
        {
            return $"error {error}";
        }

        return $"{Marshal.PtrToStringUTF8((nint)buffer)} ({error})";
    }

    public void SetOption(nint obj, string name, string value, bool searchChildren)
    {
        int rc;
        fixed (byte* n = Utf8(name), v = Utf8(value))
        {
            rc = av_opt_set(obj, n, v, searchChildren ? AVLayout.OptSearchChildren : 0);
        }

        if (rc < 0)
        {
            throw new FFmpegException($"FFmpeg option {name}={value} was refused: {ErrorText(rc)}");
        }
    }

    public int SetOption(nint obj, string name, long value)
    {
        fixed (byte* n = Utf8(name))
        {
            return av_opt_set_int(obj, n, value, 0);
        }
    }

    public static byte[] Utf8(string value) => Encoding.UTF8.GetBytes(value + "\0");
}
