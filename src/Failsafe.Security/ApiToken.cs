using System.Security.Cryptography;
using System.Text;

namespace Failsafe.Security;

/// <summary>
/// Bearer tokens for people and automation: <c>fsk1_&lt;secret&gt;</c>. Only <see cref="Hash"/> is ever
/// stored; 256 random bits make a salted slow hash unnecessary.
/// </summary>
public static class ApiToken
{
    public const string Prefix = "fsk1_";

    public static string Create() => Prefix + EnrollmentToken.Base64Url(RandomNumberGenerator.GetBytes(32));

    public static string Hash(string token) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}
