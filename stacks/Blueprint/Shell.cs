namespace Platform.Stacks.Blueprint;

/// <summary>POSIX shell quoting for commands the platform runs on the server.</summary>
public static class Shell
{
    /// <summary>One single-quoted word that the shell passes through unchanged, whatever it contains.</summary>
    public static string Quote(string text) => "'" + text.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
