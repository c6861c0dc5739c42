using System.Text.RegularExpressions;
using Platform.Stacks.Operations;
using Platform.Stacks.Tests.Support;

namespace Platform.Stacks.Tests.Docs;

/// <summary>The sshd settings docs/operations.md and docs/pulumi-program.md give are the ones cloud-init installs.</summary>
public sealed class SshdDocsTests
{
    [Theory]
    [InlineData("docs/operations.md")]
    [InlineData("docs/pulumi-program.md")]
    public void Every_sshd_setting_a_document_names_is_a_line_of_the_rendered_drop_in(string document)
    {
        var dropIn = CloudInit.SshdHardening("deploy").Split('\n').ToHashSet(StringComparer.Ordinal);
        var text = File.ReadAllText(Path.Combine(TestStacks.RepoRoot, document));
        var named = Regex.Matches(text, @"`((?:PermitRootLogin|PasswordAuthentication|KbdInteractiveAuthentication|AuthenticationMethods|AllowUsers|MaxAuthTries|MaxStartups|MaxSessions|LoginGraceTime|X11Forwarding) [^`]+)`")
            .Select(m => m.Groups[1].Value).ToList();
        Assert.NotEmpty(named);
        Assert.All(named, setting => Assert.Contains(setting, dropIn));
    }
}
