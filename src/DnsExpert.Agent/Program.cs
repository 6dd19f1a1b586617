using DnsExpert.NodeAgent;

// dotnet DnsExpert.Agent.dll --root /host --token-file /etc/dnsexpert/agent/token --urls http://0.0.0.0:9154
var app = NodeAgentHost.Build(args);
app.Run();
