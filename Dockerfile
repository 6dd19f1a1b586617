# syntax=docker/dockerfile:1
# Build: docker build -t dnsexpert .   Run: docker run -p 8080:8080 dnsexpert   (serves the API; `agent` runs the node agent)

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# Restore first, on the project files only, so the layer is cached across source changes.
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig DnsExpert.sln ./
COPY src/DnsExpert.Text/DnsExpert.Text.csproj src/DnsExpert.Text/
COPY src/DnsExpert.Contract/DnsExpert.Contract.csproj src/DnsExpert.Contract/
COPY src/DnsExpert.Facts/DnsExpert.Facts.csproj src/DnsExpert.Facts/
COPY src/DnsExpert.Readers/DnsExpert.Readers.csproj src/DnsExpert.Readers/
COPY src/DnsExpert.Engine/DnsExpert.Engine.csproj src/DnsExpert.Engine/
COPY src/DnsExpert.Diagnosis/DnsExpert.Diagnosis.csproj src/DnsExpert.Diagnosis/
COPY src/DnsExpert.Collectors/DnsExpert.Collectors.csproj src/DnsExpert.Collectors/
COPY src/DnsExpert.History/DnsExpert.History.csproj src/DnsExpert.History/
COPY src/DnsExpert.Rendering/DnsExpert.Rendering.csproj src/DnsExpert.Rendering/
COPY src/DnsExpert.Api/DnsExpert.Api.csproj src/DnsExpert.Api/
COPY src/DnsExpert.NodeAgent/DnsExpert.NodeAgent.csproj src/DnsExpert.NodeAgent/
COPY src/DnsExpert.Cli/DnsExpert.Cli.csproj src/DnsExpert.Cli/
# ReadyToRun: the code ships precompiled, so the first diagnoses after a start do not run unoptimised code (the first
# large snapshot diagnosis: 2.7-3.1 s JIT-only, 1.9 s ReadyToRun; see BENCHMARKS.md). TARGETARCH comes from buildx.
ARG TARGETARCH
RUN rid=linux-$([ "$TARGETARCH" = "arm64" ] && echo arm64 || echo x64) \
 && dotnet restore src/DnsExpert.Cli/DnsExpert.Cli.csproj -r "$rid" -p:PublishReadyToRun=true
COPY src/ src/
# The rule base: rules/data is compiled into the readers, and the published dnsexpert carries rules/ next to it.
COPY rules/ rules/
RUN rid=linux-$([ "$TARGETARCH" = "arm64" ] && echo arm64 || echo x64) \
 && dotnet publish src/DnsExpert.Cli/DnsExpert.Cli.csproj -c Release --no-restore -r "$rid" --self-contained false \
      -p:PublishReadyToRun=true -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled AS runtime
WORKDIR /app
COPY --from=build /app ./
# `dnsexpert serve` hosts the same API as src/DnsExpert.Server, with its settings (log levels, limits).
COPY src/DnsExpert.Server/appsettings.json ./
COPY rules/ ./rules/
# TieredPGO stays off as the program's runtimeconfig has it (Directory.Build.props): the first and the warm large
# diagnoses are faster without its instrumented tier, and the log scan's loops never use a profile (BENCHMARKS.md,
# "TieredPGO off for the service too").
ENV ASPNETCORE_URLS=http://+:8080 \
    DnsExpert__RulesDirectory=/app/rules \
    DOTNET_gcServer=0 \
    DOTNET_gcConcurrent=0 \
    DOTNET_GCConserveMemory=5
EXPOSE 8080
# The chiseled image has no shell and runs as the non-root "app" user (UID 1654); nothing is written to the image.
USER $APP_UID
ENTRYPOINT ["dotnet", "/app/dnsexpert.dll"]
CMD ["serve"]
