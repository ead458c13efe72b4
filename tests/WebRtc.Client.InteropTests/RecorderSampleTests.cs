using System.Buffers.Binary;
using System.Diagnostics;
using System.Text.Json.Nodes;
using WebRtc.Client.Codecs.FFmpeg;
using WebRtc.Client.Codecs.Opus;
using WebRtc.Client.IntegrationTests;

namespace WebRtc.Client.InteropTests;

/// <summary>
/// The Recorder sample against headless Chromium: the page sends Chromium's fake camera and microphone
/// for a few seconds, the recorder writes them untouched to IVF and Ogg, and the files are then read
/// back: their containers checked byte by byte, the VP8 frames decoded by FFmpeg (through our adapter
/// and by ffprobe) at the size Chromium sent, the Opus packets decoded by Concentus.
/// </summary>
[NonParallelizable]
public sealed class RecorderSampleTests
{
    private const int RecordSeconds = 4;

    [Test]
    public async Task Recorder_WritesChromiumsCameraAndMicrophone_ToFilesThatDecode()
    {
        string ffprobe = ExternalDependency.Require("ffprobe", "ffmpeg");
        int port = SampleProcess.FreeTcpPort();
        string outDir = Path.Combine(TestContext.CurrentContext.WorkDirectory, "recorder-" + Guid.NewGuid().ToString("N")[..8]);
        await using var recorder = SampleProcess.Start("Recorder", "--urls", $"http://127.0.0.1:{port}", "--out", outDir, "--seconds", "60");
        await recorder.WaitForLineAsync(l => l.StartsWith("Recorder: open", StringComparison.Ordinal), TimeSpan.FromSeconds(30), "that it listens");

        // The page: getUserMedia (fake devices), offer, RecordSeconds of sending once connected, Stop.
        string screenshot = Path.Combine(TestContext.CurrentContext.WorkDirectory, "recorder-page.png");
        using var page = ForeignPeer.StartNode("recorder-page.mjs", [ForeignPeer.Chromium], $"http://127.0.0.1:{port}/?autostart", RecordSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture), screenshot);
        var stdout = page.StandardOutput.ReadToEndAsync();
        var stderr = page.StandardError.ReadToEndAsync();
        await page.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        string resultLine = (await stdout).Trim();
        string context = $"page script stderr: {await stderr}; recorder output: {string.Join(" | ", recorder.Output)}";
        Assert.That(resultLine, Is.Not.Empty, context);
        await TestContext.Out.WriteLineAsync(resultLine);
        var result = JsonNode.Parse(resultLine)!.AsObject();
        Assert.That((bool?)result["ok"], Is.True, $"{result["error"]}; {context}");
        TestContext.AddTestAttachment(screenshot, "the Recorder page while sending");

        // Stop closes the page's WebSocket; the recorder then closes both files and says what it saved.
        string savedVideo = await recorder.WaitForLineAsync(l => l.Contains("saved ", StringComparison.Ordinal) && l.Contains(".ivf", StringComparison.Ordinal), TimeSpan.FromSeconds(15), "the saved IVF file");
        string savedAudio = await recorder.WaitForLineAsync(l => l.Contains("saved ", StringComparison.Ordinal) && l.Contains(".ogg", StringComparison.Ordinal), TimeSpan.FromSeconds(15), "the saved Ogg file");
        foreach (string line in recorder.Output)
        {
            await TestContext.Out.WriteLineAsync("recorder: " + line);
        }

        string ivfPath = Directory.GetFiles(outDir, "*.ivf").Single();
        string oggPath = Directory.GetFiles(outDir, "*.ogg").Single();
        TestContext.AddTestAttachment(ivfPath, "the recorded VP8");
        TestContext.AddTestAttachment(oggPath, "the recorded Opus");
        var sentVideo = result["sent"]!["video"]!;
        int sentWidth = (int)sentVideo["frameWidth"]!;
        int sentHeight = (int)sentVideo["frameHeight"]!;
        long framesSent = (long)sentVideo["framesSent"]!;
        long audioPacketsSent = (long)result["sent"]!["audio"]!["packetsSent"]!;

        // IVF: the 32-byte header, then each frame behind its 12-byte header; the count is patched in at the end.
        byte[] ivf = await File.ReadAllBytesAsync(ivfPath);
        Assert.That(ivf.Length, Is.GreaterThan(32), savedVideo);
        Assert.That(ivf.AsSpan(0, 4).SequenceEqual("DKIF"u8), Is.True, "IVF signature");
        Assert.That(BinaryPrimitives.ReadUInt16LittleEndian(ivf.AsSpan(4)), Is.Zero, "IVF version");
        Assert.That(BinaryPrimitives.ReadUInt16LittleEndian(ivf.AsSpan(6)), Is.EqualTo(32), "IVF header size");
        Assert.That(ivf.AsSpan(8, 4).SequenceEqual("VP80"u8), Is.True, "fourcc VP80");
        int headerWidth = BinaryPrimitives.ReadUInt16LittleEndian(ivf.AsSpan(12));
        int headerHeight = BinaryPrimitives.ReadUInt16LittleEndian(ivf.AsSpan(14));
        Assert.That(BinaryPrimitives.ReadUInt32LittleEndian(ivf.AsSpan(16)), Is.EqualTo(90000), "timebase 1/90000 s, the RTP clock");
        uint headerCount = BinaryPrimitives.ReadUInt32LittleEndian(ivf.AsSpan(24));
        var frames = new List<(byte[] Data, long Timestamp)>();
        for (int offset = 32; offset < ivf.Length;)
        {
            Assert.That(offset + 12, Is.LessThanOrEqualTo(ivf.Length), $"frame header at {offset}");
            int size = (int)BinaryPrimitives.ReadUInt32LittleEndian(ivf.AsSpan(offset));
            long timestamp = BinaryPrimitives.ReadInt64LittleEndian(ivf.AsSpan(offset + 4));
            Assert.That(offset + 12 + size, Is.LessThanOrEqualTo(ivf.Length), $"frame at {offset} ({size} bytes) inside the file");
            frames.Add((ivf.AsSpan(offset + 12, size).ToArray(), timestamp));
            offset += 12 + size;
        }

        Assert.That(frames, Has.Count.EqualTo(headerCount), "the header's frame count");
        Assert.That(frames, Has.Count.GreaterThanOrEqualTo(RecordSeconds * 10), "at least 10 frames a second");
        Assert.That(frames, Has.Count.GreaterThanOrEqualTo(framesSent * 9 / 10), $"nearly every frame Chromium said it sent ({framesSent}) by the time it stopped");
        Assert.That(frames.Select(f => f.Timestamp), Is.Ordered.Ascending, "timestamps rise");
        Assert.That(frames[0].Timestamp, Is.Zero, "the first frame starts the file");
        Assert.That(IsVp8KeyFrame(frames[0].Data), Is.True, "the first frame is a keyframe");
        double seconds = frames[^1].Timestamp / 90000.0;
        Assert.That(seconds, Is.InRange(RecordSeconds - 1, RecordSeconds + 4), "the timestamps span the recording");

        // Our FFmpeg adapter decodes every frame; the last one is at the size Chromium reported sending.
        using (var decoder = FFmpegCodecs.Vp8.CreateDecoder())
        {
            int decoded = 0;
            (int Width, int Height) first = default, last = default;
            foreach (var (data, timestamp) in frames)
            {
                using var picture = decoder.Decode(data, TimeSpan.FromSeconds(timestamp / 90000.0));
                Assert.That(picture, Is.Not.Null, $"frame {decoded} ({data.Length} bytes) decodes");
                last = (picture!.Width, picture.Height);
                first = decoded == 0 ? last : first;
                decoded++;
            }

            Assert.That(first, Is.EqualTo((headerWidth, headerHeight)), "the IVF header carries the first keyframe's size");
            Assert.That(last, Is.EqualTo((sentWidth, sentHeight)), "the last frame decodes at the size Chromium's outbound-rtp reports");
        }

        var probe = await Run(ffprobe, "-v", "error", "-count_frames", "-select_streams", "v:0",
            "-show_entries", "stream=codec_name,width,height,nb_read_frames", "-of", "json", ivfPath);
        var stream = JsonNode.Parse(probe)!["streams"]![0]!;
        Assert.That((string?)stream["codec_name"], Is.EqualTo("vp8"), probe);
        Assert.That(int.Parse((string)stream["nb_read_frames"]!, System.Globalization.CultureInfo.InvariantCulture), Is.EqualTo(frames.Count), "ffprobe decodes every frame: " + probe);

        // Ogg: CRC-checked pages in sequence, OpusHead then OpusTags, end-of-stream last; then Concentus decodes the packets.
        byte[] ogg = await File.ReadAllBytesAsync(oggPath);
        var pages = OggPage.ReadAll(ogg);
        Assert.That(pages, Has.Count.GreaterThan(2 + RecordSeconds * 25), savedAudio);
        Assert.That(pages.Select(p => p.Sequence), Is.EqualTo(Enumerable.Range(0, pages.Count).Select(i => (uint)i)), "page sequence numbers");
        Assert.That(pages.Select(p => p.Serial).Distinct().Count(), Is.EqualTo(1), "one logical stream");
        Assert.That(pages[0].Flags, Is.EqualTo(2), "the first page begins the stream");
        Assert.That(pages[^1].Flags & 4, Is.EqualTo(4), "the last page ends the stream");
        Assert.That(pages.Skip(1).SkipLast(1).All(p => p.Flags == 0), Is.True, "no other page has flags");
        Assert.That(pages[0].Packet.AsSpan(0, 8).SequenceEqual("OpusHead"u8), Is.True, "OpusHead");
        Assert.That(pages[1].Packet.AsSpan(0, 8).SequenceEqual("OpusTags"u8), Is.True, "OpusTags");
        int channels = pages[0].Packet[9];
        var audio = pages.Skip(2).ToList();
        Assert.That(audio, Has.Count.GreaterThanOrEqualTo(audioPacketsSent * 9 / 10), $"nearly every packet Chromium said it sent ({audioPacketsSent})");
        Assert.That(audio.Select(p => p.Granule), Is.Ordered.Ascending, "granule positions rise");

        using var opus = new OpusAudioDecoder(channels);
        var pcm = new short[OpusAudioDecoder.MaxFrameSize * channels];
        long previousGranule = 0, decodedSamples = 0;
        double loudest = 0;
        foreach (var audioPage in audio)
        {
            int samples = opus.Decode(audioPage.Packet, pcm);
            Assert.That(samples, Is.EqualTo(audioPage.Granule - previousGranule), $"packet {audioPage.Sequence} decodes to the samples its granule position counts");
            previousGranule = audioPage.Granule;
            decodedSamples += samples;
            double sum = 0;
            foreach (short s in pcm.AsSpan(0, samples * channels))
            {
                sum += (double)s * s;
            }

            loudest = Math.Max(loudest, Math.Sqrt(sum / (samples * channels)) / 32768);
        }

        Assert.That(decodedSamples / 48000.0, Is.EqualTo(seconds).Within(1.0), "as much audio as video");
        Assert.That(loudest, Is.GreaterThan(0.01), "Chromium's fake microphone beeps; the recording is not silence");
        await TestContext.Out.WriteLineAsync($"recorded {frames.Count} VP8 frames {headerWidth}x{headerHeight} -> {sentWidth}x{sentHeight} over {seconds:0.00} s (Chromium sent {framesSent}); {audio.Count} Opus packets, {decodedSamples / 48000.0:0.00} s, {channels} channel(s), loudest 20 ms at {loudest:0.000}");

        var audioProbe = await Run(ffprobe, "-v", "error", "-show_entries", "stream=codec_name,sample_rate,channels", "-of", "json", oggPath);
        var audioStream = JsonNode.Parse(audioProbe)!["streams"]![0]!;
        Assert.That((string?)audioStream["codec_name"], Is.EqualTo("opus"), audioProbe);
        Assert.That((int?)audioStream["channels"], Is.EqualTo(channels), audioProbe);
    }

    private static bool IsVp8KeyFrame(byte[] frame) =>
        frame.Length >= 10 && (frame[0] & 1) == 0 && frame[3] == 0x9d && frame[4] == 0x01 && frame[5] == 0x2a;

    private static async Task<string> Run(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.That(process.ExitCode, Is.Zero, $"{program} {string.Join(' ', args)}: {await stderr}");
        return await stdout;
    }

    /// <summary>One Ogg page holding one packet (as the recorder writes them), its CRC checked.</summary>
    private sealed record OggPage(byte Flags, long Granule, uint Serial, uint Sequence, byte[] Packet)
    {
        public static List<OggPage> ReadAll(byte[] file)
        {
            var pages = new List<OggPage>();
            for (int offset = 0; offset < file.Length;)
            {
                Assert.That(offset + 27, Is.LessThanOrEqualTo(file.Length), $"page header at {offset}");
                Assert.That(file.AsSpan(offset, 4).SequenceEqual("OggS"u8), Is.True, $"capture pattern at {offset}");
                Assert.That(file[offset + 4], Is.Zero, "stream structure version");
                int segments = file[offset + 26];
                int size = 27 + segments;
                int packetSize = 0;
                for (int i = 0; i < segments; i++)
                {
                    packetSize += file[offset + 27 + i];
                    Assert.That(file[offset + 27 + i] == 255 || i == segments - 1, Is.True, "one packet a page, ending on its page");
                }

                size += packetSize;
                Assert.That(offset + size, Is.LessThanOrEqualTo(file.Length), $"page at {offset} inside the file");
                var page = file.AsSpan(offset, size).ToArray();
                uint crc = BinaryPrimitives.ReadUInt32LittleEndian(page.AsSpan(22));
                page.AsSpan(22, 4).Clear();
                Assert.That(Crc(page), Is.EqualTo(crc), $"CRC of the page at {offset}");
                pages.Add(new OggPage(file[offset + 5], BinaryPrimitives.ReadInt64LittleEndian(file.AsSpan(offset + 6)),
                    BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(offset + 14)), BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(offset + 18)),
                    file.AsSpan(offset + 27 + segments, packetSize).ToArray()));
                offset += size;
            }

            return pages;
        }

        // Ogg's CRC-32 (RFC 3533): polynomial 0x04C11DB7, not reflected, initial value 0, over the page with its CRC field zeroed.
        private static uint Crc(ReadOnlySpan<byte> data)
        {
            uint crc = 0;
            foreach (byte b in data)
            {
                crc ^= (uint)b << 24;
                for (int bit = 0; bit < 8; bit++)
                {
                    crc = (crc & 0x80000000) != 0 ? (crc << 1) ^ 0x04C11DB7 : crc << 1;
                }
            }

            return crc;
        }
    }
}
