using DnsExpert.Api.Hosting;

var app = DnsExpertHost.Build(args);
app.Run();
