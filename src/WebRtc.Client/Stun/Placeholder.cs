namespace WebRtc.Client.Stun;
internal static class Placeholder { }
