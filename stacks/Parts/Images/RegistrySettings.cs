using Platform.Stacks.Settings;

namespace Platform.Stacks.Parts.Images;

/// <summary>A private registry: its address (e.g. ghcr.io), the user name, and the secret holding its password or token.</summary>
public sealed record RegistrySettings(string Name, string Address, string Username)
{
    /// <summary>The config key of the password, e.g. <c>registrySecrets.ghcr</c>.</summary>
    public string SecretKey => $"registrySecrets.{Name}";
}
