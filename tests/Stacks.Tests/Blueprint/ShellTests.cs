using System.Diagnostics;
using Platform.Stacks.Blueprint;

namespace Platform.Stacks.Tests.Blueprint;

public sealed class ShellTests
{
    [Theory]
    [InlineData("plain")]
    [InlineData("it's")]
    [InlineData("$(touch /tmp/pwned) `id` ; rm -rf / \"quoted\" \\ back")]
    public void Quoted_text_reaches_the_command_unchanged(string text)
    {
        using var p = Process.Start(new ProcessStartInfo("sh", ["-c", "printf '%s' " + Shell.Quote(text)]) { RedirectStandardOutput = true })!;
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        Assert.Equal(text, output);
    }
}
