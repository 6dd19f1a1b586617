// How an endpoint that runs a read and valid diagnosis request answers (DiagnosesApi.Answer): the diagnosis (200, or the
// rendering ?format= asks for), queued (202), a 422 when it needs a cluster there is not, or a 503 when the queue or the
// history cannot take it. Nested in an endpoint's Results, its statuses document the endpoint as its own would.
global using DiagnosisAnswer = Microsoft.AspNetCore.Http.HttpResults.Results<
    Microsoft.AspNetCore.Http.HttpResults.Ok<DnsExpert.Contract.DiagnosisResponse>,
    Microsoft.AspNetCore.Http.HttpResults.Accepted<DnsExpert.Contract.DiagnosisResponse>,
    DnsExpert.Api.Endpoints.RenderedReport,
    DnsExpert.Api.Hosting.Problem<DnsExpert.Api.Hosting.Status.Unprocessable>,
    DnsExpert.Api.Hosting.Problem<DnsExpert.Api.Hosting.Status.ServiceUnavailable>>;
