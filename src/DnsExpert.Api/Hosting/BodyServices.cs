using DnsExpert.Diagnosis.FactBuilding;
using Microsoft.AspNetCore.Mvc;

namespace DnsExpert.Api.Hosting;

/// <summary>
/// What reading a JSON body (<see cref="JsonBody"/>) takes from the server, bound as one handler parameter
/// (<c>[AsParameters]</c>): the log-scan stage, and the admissions of body bytes and of what pasted output expands to.
/// </summary>
public sealed record BodyServices(
    LogScanScheduler Scans, [FromServices] BodyAdmission? Admission, [FromServices] PastedOutputAdmission? Pasted);
