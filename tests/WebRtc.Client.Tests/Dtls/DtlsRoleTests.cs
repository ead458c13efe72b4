using WebRtc.Client.Dtls;

namespace WebRtc.Client.Tests.Dtls;

public class DtlsRoleTests
{
    // local, remote, localIsOfferer -> local role
    [TestCase(DtlsSetup.ActPass, DtlsSetup.Active, true, DtlsRole.Server)]
    [TestCase(DtlsSetup.ActPass, DtlsSetup.Passive, true, DtlsRole.Client)]
    [TestCase(DtlsSetup.Active, DtlsSetup.ActPass, false, DtlsRole.Client)]
    [TestCase(DtlsSetup.Passive, DtlsSetup.ActPass, false, DtlsRole.Server)]
    [TestCase(DtlsSetup.Active, DtlsSetup.Passive, true, DtlsRole.Client)]
    [TestCase(DtlsSetup.Passive, DtlsSetup.Active, true, DtlsRole.Server)]
    [TestCase(DtlsSetup.Passive, DtlsSetup.Active, false, DtlsRole.Server)]
    [TestCase(DtlsSetup.Active, DtlsSetup.Passive, false, DtlsRole.Client)]
    public void ResolveRole_ValidCombinations(DtlsSetup local, DtlsSetup remote, bool localIsOfferer, DtlsRole expected) =>
        Assert.That(DtlsTransport.ResolveRole(local, remote, localIsOfferer), Is.EqualTo(expected));

    [TestCase(DtlsSetup.ActPass, DtlsSetup.ActPass, true)]
    [TestCase(DtlsSetup.ActPass, DtlsSetup.ActPass, false)]
    [TestCase(DtlsSetup.ActPass, DtlsSetup.Active, false)]
    [TestCase(DtlsSetup.Active, DtlsSetup.ActPass, true)]
    [TestCase(DtlsSetup.Active, DtlsSetup.Active, true)]
    [TestCase(DtlsSetup.Passive, DtlsSetup.Passive, false)]
    public void ResolveRole_InvalidCombinations_Throw(DtlsSetup local, DtlsSetup remote, bool localIsOfferer) =>
        Assert.Throws<ArgumentException>(() => DtlsTransport.ResolveRole(local, remote, localIsOfferer));
}
