using WebRtc.Client.Media;

namespace WebRtc.Client.IntegrationTests.Media;

/// <summary>Closing while frames are being decoded and encoded: the native codecs are freed only between packets.</summary>
public class MediaCloseTests
{
    [Test]
    public async Task ClosingMidCall_WhileDecoding_NeverCrashesOrLeaksAnEncoder()
    {
        for (int i = 0; i < 8; i++)
        {
            var alice = MediaCallTests.NewPeer();
            var bob = MediaCallTests.NewPeer();
            var video = new MediaCallTests.TrackProbe();
            bob.Track += (_, e) => video.Attach(e);
            alice.AddTrack(VideoSource.TestPattern(640, 480, 30).CreateTrack());
            bob.AddTrack(VideoSource.TestPattern(640, 480, 30).CreateTrack());
            alice.Track += (_, e) => e.Track.VideoFrameReceived += (_, _) => { };
            await MediaCallTests.Negotiate(alice, bob);
            await MediaCallTests.Until(() => video.Frames >= 3, "frames before the close");
            // Both sides close at once, from other threads than the receive loops that are decoding.
            await Task.WhenAll(Task.Run(() => bob.DisposeAsync().AsTask()), Task.Run(() => alice.DisposeAsync().AsTask()));
            Assert.That(bob.GetTransceivers().All(t => t.IsStopped), Is.True);
        }
    }
}
