using System.Diagnostics;

namespace WebRtc.Client.IntegrationTests.Codecs;

/// <summary>Runs ffmpeg, ffprobe or gst-launch-1.0 on files in a scratch directory and fails the test with its stderr.</summary>
internal sealed class ExternalTool : IDisposable
{
    private ExternalTool()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("webrtc-codecs-").FullName;
    }

    public string Directory { get; }

    public static ExternalTool Create() => new();

    public string PathOf(string name) => Path.Combine(Directory, name);

    public static string Ffmpeg => ExternalDependency.Require("ffmpeg", "ffmpeg");

    public static string Ffprobe => ExternalDependency.Require("ffprobe", "ffmpeg");

    public static string GstLaunch => ExternalDependency.Require("gst-launch-1.0", "gstreamer1.0-tools");

    /// <summary>Runs <paramref name="program"/> and returns its stdout; a non-zero exit fails the test.</summary>
    public string Run(string program, params string[] arguments)
    {
        var info = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Directory,
        };
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {program}");
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(120_000))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{Path.GetFileName(program)} timed out");
        }

        if (process.ExitCode != 0)
        {
            Assert.Fail($"{Path.GetFileName(program)} {string.Join(' ', arguments)} exited with {process.ExitCode}:\n{stderr.Result}");
        }

        return stdout;
    }

    /// <summary>ffmpeg with quiet logging and overwrite on.</summary>
    public string RunFfmpeg(params string[] arguments) =>
        Run(Ffmpeg, ["-hide_banner", "-loglevel", "error", "-nostdin", "-y", .. arguments]);

    public static short[] ReadPcm(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        var samples = new short[bytes.Length / 2];
        Buffer.BlockCopy(bytes, 0, samples, 0, samples.Length * 2);
        return samples;
    }

    public static void WritePcm(string path, ReadOnlySpan<short> samples) =>
        File.WriteAllBytes(path, System.Runtime.InteropServices.MemoryMarshal.AsBytes(samples).ToArray());

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
