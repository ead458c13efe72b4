namespace WebRtc.Client.Tests;
public class SmokeTests { [Test] public void Works() => Assert.That(int.Parse("1", System.Globalization.CultureInfo.InvariantCulture), Is.EqualTo(1)); }
