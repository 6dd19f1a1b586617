using DnsExpert.Contract;
using DnsExpert.Facts;
using DnsExpert.Readers.Classification;

namespace DnsExpert.Readers.Building.Producers;

/// <summary>The symptom the request reports: its error message classified, and how often it happens.</summary>
internal static class ReportedSymptomProducer
{
    public static ProducedFacts Produce(DiagnosisRequest request, ClassificationResult classification)
    {
        var symptom = request.Symptom;
        return new ProducedFacts(
        [
            new ReportedSymptom
            {
                Source = "request.symptom",
                Class = classification.Class.Name(),
                Frequency = symptom?.Frequency is { } f ? f.ToString().ToLowerInvariant() : "unknown",
                ErrorMessage = string.IsNullOrWhiteSpace(symptom?.ErrorMessage) ? null : symptom.ErrorMessage,
                Client = classification.Client,
                FailureReported = !string.IsNullOrWhiteSpace(symptom?.ErrorMessage) || symptom?.Frequency is not null || !string.IsNullOrWhiteSpace(request.Domain),
            },
        ]);
    }
}
