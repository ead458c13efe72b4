namespace WebRtc.Client.Codecs.FFmpeg;

/// <summary>An FFmpeg library could not be loaded; the message names the files tried and the package to install.</summary>
public sealed class FFmpegNotFoundException : DllNotFoundException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="library">Library name, e.g. <c>libavcodec</c>.</param>
    /// <param name="tried">The file names or paths probed.</param>
    /// <param name="debianPackage">The Debian package that provides it, e.g. <c>libavcodec59</c>.</param>
    public FFmpegNotFoundException(string library, IReadOnlyList<string> tried, string debianPackage)
        : base($"{library} could not be loaded (tried {string.Join(", ", tried)}). Install it: sudo apt-get install -y {debianPackage} (./build.sh test installs it).")
    {
        Library = library;
        Tried = tried;
        DebianPackage = debianPackage;
    }

    /// <summary>Creates the exception with a message only.</summary>
    public FFmpegNotFoundException()
        : this("libavcodec", [], "libavcodec59")
    {
    }

    /// <summary>Creates the exception with a message only.</summary>
    /// <param name="message">The message.</param>
    public FFmpegNotFoundException(string message)
        : base(message)
    {
        Library = string.Empty;
        Tried = [];
        DebianPackage = string.Empty;
    }

    /// <summary>Creates the exception with a message and cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="inner">The cause.</param>
    public FFmpegNotFoundException(string message, Exception inner)
        : base(message, inner)
    {
        Library = string.Empty;
        Tried = [];
        DebianPackage = string.Empty;
    }

    /// <summary>The library that is missing.</summary>
    public string Library { get; }

    /// <summary>The file names or paths probed.</summary>
    public IReadOnlyList<string> Tried { get; }

    /// <summary>The Debian package to install.</summary>
    public string DebianPackage { get; }
}
