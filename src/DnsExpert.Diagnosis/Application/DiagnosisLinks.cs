namespace DnsExpert.Diagnosis.Application;

/// <summary>The one place the links of a kept diagnosis are made: paths, or absolute URLs under a known base.</summary>
public static class DiagnosisLinks
{
    /// <summary>
    /// Where to read a kept diagnosis; <c>checks</c>, its Markdown with every next check (a chat answer shows the first
    /// few); <c>evidence</c> to refine it; <c>previous</c> and <c>next</c> along the chain of a conversation when it has them.
    /// Absolute under <paramref name="linkBase"/> when it is given.
    /// </summary>
    public static IReadOnlyDictionary<string, string> Build(Uri? linkBase, string id, string? previousId = null, string? nextId = null)
    {
        string At(string path) => linkBase is null ? "/" + path : new Uri(linkBase, path).AbsoluteUri;
        var links = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["self"] = At($"api/v1/diagnoses/{id}"),
            ["report"] = At($"reports/{id}"),
            ["checks"] = At($"api/v1/diagnoses/{id}?format=markdown&checks=all"),
            ["ticket"] = At($"api/v1/diagnoses/{id}/ticket"),
            ["request"] = At($"api/v1/diagnoses/{id}/request"),
            ["evidence"] = At($"api/v1/diagnoses/{id}/evidence"),
        };
        if (previousId is not null)
        {
            links["previous"] = At($"api/v1/diagnoses/{previousId}");
        }

        if (nextId is not null)
        {
            links["next"] = At($"api/v1/diagnoses/{nextId}");
        }

        return links;
    }
}
