using System.Security.Cryptography;
using System.Text;

namespace Platform.Stacks.Data;

/// <summary>
/// PostgreSQL's SCRAM-SHA-256 password verifier (RFC 5802 / RFC 7677), as stored in
/// <c>pg_authid.rolpassword</c> and accepted by PgBouncer's userlist. PostgreSQL and
/// PgBouncer get the same verifier, so neither ever holds a plaintext password.
/// </summary>
public static class Scram
{
    /// <summary>
    /// PBKDF2 iterations of the verifiers. PostgreSQL's default (4096) stretches human-chosen passwords;
    /// every password here is 40 random alphanumerics (about 238 bits), which no amount of stretching
    /// makes stronger, while each iteration is paid again by the client on every new connection. At
    /// 4096, the client's key derivation dominated the cost of a new connection in the PgBouncer
    /// benchmark (bench/pgbouncer.sh); at 1024 it no longer does. A password a person chose (config
    /// secrets are never turned into verifiers) would need 4096 or more.
    /// </summary>
    public const int Iterations = 1024;

    /// <summary>
    /// The verifier for <paramref name="password"/>. The salt is derived from the password and
    /// the role (HMAC-SHA-256), so the same password always gives the same verifier — no
    /// perpetual diff on every deploy — while two roles never share a salt.
    /// </summary>
    public static string Verifier(string password, string role)
    {
        var salt = HMACSHA256.HashData(Encoding.UTF8.GetBytes(password), Encoding.UTF8.GetBytes("platform-scram-salt:" + role))[..16];
        return Verifier(password, salt, Iterations);
    }

    /// <summary>The verifier for an explicit salt and iteration count.</summary>
    public static string Verifier(string password, byte[] salt, int iterations)
    {
        // Generated passwords are printable ASCII, for which SASLprep is the identity.
        var salted = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, 32);
        var clientKey = HMACSHA256.HashData(salted, "Client Key"u8);
        var storedKey = SHA256.HashData(clientKey);
        var serverKey = HMACSHA256.HashData(salted, "Server Key"u8);
        return $"SCRAM-SHA-256${iterations}:{Convert.ToBase64String(salt)}${Convert.ToBase64String(storedKey)}:{Convert.ToBase64String(serverKey)}";
    }
}
