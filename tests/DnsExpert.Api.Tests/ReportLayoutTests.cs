using System.Diagnostics;
using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DnsExpert.Api.Tests;

/// <summary>
/// The report page's layout, measured in the real browser: headless Chromium loads the page (its script run under the
/// page's CSP), and the test reads the geometry the browser laid out through the DevTools protocol on a loopback port
/// (a measure, not a pixel comparison, so fonts and anti-aliasing do not decide it): no command's text runs under its
/// Copy button, and no name leaves its box in the DNS path drawing, with the longest names Kubernetes allows.
/// </summary>
public sealed partial class ReportPageTests
{
    /// <summary>Where the text of each copyable block meets its Copy button, and each SVG text that leaves its hop's box.</summary>
    private const string Measure = """
        new Promise(function (resolve) {
          function measure() {
            var under = [], outside = [];
            document.querySelectorAll('pre.copyable').forEach(function (pre) {
              var button = pre.querySelector('button.copy');
              if (!button) { under.push('no Copy button: ' + pre.innerText.slice(0, 60)); return; }
              var b = button.getBoundingClientRect();
              var range = document.createRange();
              range.selectNodeContents(pre.querySelector('code'));
              var rects = range.getClientRects();
              for (var i = 0; i < rects.length; i++) {
                var r = rects[i];
                if (r.width > 0 && r.left < b.right && r.right > b.left && r.top < b.bottom && r.bottom > b.top) { under.push(pre.innerText.slice(0, 60)); break; }
              }
            });
            document.querySelectorAll('svg g.hop').forEach(function (hop) {
              var box = hop.querySelector('rect.box').getBBox();
              hop.querySelectorAll('text').forEach(function (text) {
                var t = text.getBBox();
                if (t.x < box.x || t.x + t.width > box.x + box.width) { outside.push(text.textContent + ' (' + Math.round(t.width) + ' of ' + box.width + ' px)'); }
              });
            });
            resolve({ blocks: document.querySelectorAll('pre.copyable').length, hops: document.querySelectorAll('svg g.hop').length, under: under, outside: outside });
          }
          if (document.readyState === 'complete') { measure(); } else { addEventListener('load', measure); }
        })
        """;

    [Theory]
    [InlineData(1100)]
    [InlineData(420)]
    public async Task No_command_runs_under_its_copy_button_and_no_name_leaves_its_box_with_the_longest_names(int width)
    {
        // The scenario's CoreDNS pods renamed to the longest pod names there are (63 characters), of wide letters.
        var scenario = await File.ReadAllTextAsync(Path.Combine(ApiFactory.RepoRoot, "tests", "scenarios", "app-to-kube-dns-unreachable", "fires-cluster-ip-times-out-pod-ip-answers.json"));
        scenario = scenario
            .Replace("coredns-5d78c9869d-abcde", "coredns-5d78c9869d-" + new string('w', 44), StringComparison.Ordinal)
            .Replace("coredns-5d78c9869d-fghij", "coredns-5d78c9869d-" + new string('m', 44), StringComparison.Ordinal);
        var posted = await _client.PostAsync("/api/v1/diagnoses", new StringContent(scenario, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
        var id = JsonDocument.Parse(await posted.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString();

        var layout = await LaidOutAsync($"{_base}/reports/{id}", width, Measure);

        Assert.True(layout["blocks"]!.GetValue<int>() > 0);
        Assert.True(layout["hops"]!.GetValue<int>() >= 4);
        Assert.Empty(layout["under"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Empty(layout["outside"]!.AsArray().Select(n => n!.GetValue<string>()));
    }

    /// <summary>
    /// Loads <paramref name="url"/> in headless Chromium <paramref name="width"/> pixels wide and returns what
    /// <paramref name="expression"/> (a promise) resolves to, evaluated in the page through the DevTools protocol.
    /// </summary>
    private async Task<JsonObject> LaidOutAsync(string url, int width, string expression)
    {
        var chromium = new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser" }.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("Chromium is not installed: apt-get install -y chromium (test.sh does this)");
        var info = new ProcessStartInfo(chromium) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[]
        {
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--hide-scrollbars",
            $"--user-data-dir={Path.Combine(_dir, "chromium-layout")}", "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
            $"--window-size={width},1400", url,
        })
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        try
        {
            _ = process.StandardOutput.ReadToEndAsync(timeout.Token);
            // Chromium says where its DevTools endpoint listens on its first lines of standard error.
            Uri? browser = null;
            while (browser is null && await process.StandardError.ReadLineAsync(timeout.Token) is { } line)
            {
                var at = line.IndexOf("ws://127.0.0.1:", StringComparison.Ordinal);
                browser = at >= 0 ? new Uri(line[at..].Trim()) : null;
            }

            _ = process.StandardError.ReadToEndAsync(timeout.Token);
            Assert.NotNull(browser);
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{browser.Port}") };
            string? page = null;
            while (page is null)
            {
                var targets = JsonNode.Parse(await http.GetStringAsync("/json/list", timeout.Token))!.AsArray();
                page = targets.FirstOrDefault(t => t!["type"]!.GetValue<string>() == "page" && t["url"]!.GetValue<string>() == url)?["webSocketDebuggerUrl"]?.GetValue<string>();
                if (page is null)
                {
                    await Task.Delay(100, timeout.Token);
                }
            }

            using var socket = new ClientWebSocket();
            await socket.ConnectAsync(new Uri(page), timeout.Token);
            // An evaluation begun in the blank page before the report's is lost when the report's page replaces it: ask again.
            for (var id = 1; ; id++)
            {
                var call = new JsonObject
                {
                    ["id"] = id,
                    ["method"] = "Runtime.evaluate",
                    // Once the page itself (not the blank one before it) has loaded, scripts included.
                    ["params"] = new JsonObject
                    {
                        ["expression"] = $$"""
                            new Promise(function (loaded) {
                              (function wait() { if (location.href === {{JsonSerializer.Serialize(url)}} && document.readyState === 'complete') { loaded(); } else { setTimeout(wait, 50); } })();
                            }).then(function () { return {{expression}}; })
                            """,
                        ["awaitPromise"] = true,
                        ["returnByValue"] = true,
                    },
                };
                await socket.SendAsync(Encoding.UTF8.GetBytes(call.ToJsonString()), WebSocketMessageType.Text, endOfMessage: true, timeout.Token);
                var answer = await AnswerAsync(socket, id, timeout.Token);
                if (answer["error"]?["message"]?.GetValue<string>() == "Execution context was destroyed." && id < 20)
                {
                    continue;
                }

                var result = answer["result"] ?? throw new InvalidOperationException($"DevTools refused the evaluation: {answer.ToJsonString()}");
                Assert.True(result["exceptionDetails"] is null, result.ToJsonString());
                return result["result"]!["value"]!.AsObject();
            }
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
        }
    }

    /// <summary>The DevTools answer to call <paramref name="id"/> (events before it are passed over).</summary>
    private static async Task<JsonNode> AnswerAsync(ClientWebSocket socket, int id, CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        while (true)
        {
            using var message = new MemoryStream();
            WebSocketReceiveResult received;
            do
            {
                received = await socket.ReceiveAsync(buffer, cancellationToken);
                message.Write(buffer, 0, received.Count);
            }
            while (!received.EndOfMessage);

            var answer = JsonNode.Parse(message.ToArray())!;
            if (answer["id"]?.GetValue<int>() == id)
            {
                return answer;
            }
        }
    }
}
