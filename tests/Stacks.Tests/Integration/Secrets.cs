using System.Security.Cryptography;

namespace Platform.Stacks.Tests.Integration;

/// <summary>Generated test secrets, shaped like the platform's (alphanumeric, 32 characters).</summary>
public static class Secrets
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    public static string NewPassword(int length = 32) => RandomNumberGenerator.GetString(Alphabet, length);
}
