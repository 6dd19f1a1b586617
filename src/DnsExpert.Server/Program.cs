using DnsExpert.Api;

var app = DnsExpertHost.Build(args);
app.Run();
