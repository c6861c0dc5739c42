using Platform.Stacks.Model;

namespace Platform.Stacks.Blueprint;

/// <summary>How a host command's script installs a file on the server: written beside it, then moved into place (atomic).</summary>
internal static class HostFiles
{
    /// <summary>Appends the lines that install <paramref name="content"/> at <paramref name="path"/> with <paramref name="mode"/>.</summary>
    public static void Write(SecretTextBuilder b, string path, string mode, SecretText content)
    {
        b.Line($"sudo install -m {mode} /dev/null {path}.new");
        b.Line($"sudo tee {path}.new >/dev/null <<'PLATFORM_FILE'");
        b.Append(content);
        if (!content.Masked.EndsWith('\n')) b.Line();
        b.Line("PLATFORM_FILE");
        b.Line($"sudo mv -f {path}.new {path}");
    }

    /// <summary>The same for plain text.</summary>
    public static void Write(SecretTextBuilder b, string path, string mode, string content) => Write(b, path, mode, SecretText.Plain(content));
}
