using System.Security.Cryptography;
using System.Text;

namespace DnsExpert.Api.Security;

/// <summary>
/// API keys by the SHA-256 of their text. Keys are random 256-bit strings, so a fast hash is enough: what is stored
/// cannot be turned back into a key, and lookups compare hashes in constant time.
/// </summary>
public sealed class ApiKeyStore
{
    private readonly List<(string Name, byte[] Hash)> _keys;

    public ApiKeyStore(IEnumerable<(string Name, byte[] Hash)> keys) => _keys = keys.ToList();

    public int Count => _keys.Count;

    /// <summary>The key's name, or null when no key matches.</summary>
    public string? Find(string presented)
    {
        if (presented.Length is 0 or > 512)
        {
            return null;
        }

        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(presented));
        string? found = null;
        foreach (var (name, stored) in _keys)
        {
            // Every entry is compared, so timing does not tell which one matched.
            if (CryptographicOperations.FixedTimeEquals(hash, stored))
            {
                found = name;
            }
        }

        return found;
    }

    /// <summary>Reads <c>NAME:SHA256-HEX</c> lines; a bad line is an error naming the source and line number.</summary>
    public static ApiKeyStore Load(AuthOptions options)
    {
        var keys = new List<(string, byte[])>();
        void Parse(string source, int number, string line)
        {
            var text = line.Trim();
            if (text.Length == 0 || text.StartsWith('#'))
            {
                return;
            }

            var colon = text.LastIndexOf(':');
            var name = colon > 0 ? text[..colon].Trim() : "";
            var hex = colon > 0 ? text[(colon + 1)..].Trim() : "";
            if (name.Length == 0 || hex.Length != 64 || !hex.All(Uri.IsHexDigit))
            {
                // The line itself is not echoed: it may be a key pasted by mistake.
                throw new InvalidOperationException($"{source}:{number}: expected NAME:SHA256-HEX (64 hex digits); run `dnsexpert apikey new NAME` to make one");
            }

            keys.Add((name, Convert.FromHexString(hex)));
        }

        for (var i = 0; i < options.ApiKeys.Count; i++)
        {
            Parse($"{AuthOptions.Section}:ApiKeys", i, options.ApiKeys[i]);
        }

        if (!string.IsNullOrWhiteSpace(options.ApiKeysFile))
        {
            var number = 0;
            foreach (var line in File.ReadLines(options.ApiKeysFile))
            {
                Parse(options.ApiKeysFile, ++number, line);
            }
        }

        return new ApiKeyStore(keys);
    }

    /// <summary>A new random key and its <c>NAME:SHA256-HEX</c> line.</summary>
    public static (string Key, string Line) NewKey(string name)
    {
        var key = "dx_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return (key, $"{name}:{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))}");
    }
}
