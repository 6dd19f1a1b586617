using DnsExpert.Testing;
using k8s;
using k8s.Models;

namespace DnsExpert.Deploy.Tests;

/// <summary>Every manifest under deploy/ parses into KubernetesClient's model types and keeps the security promises.</summary>
public sealed class ManifestTests
{
    internal static readonly string Deploy = Path.Combine(RepoPaths.Root, "deploy");
    private static readonly string[] WriteVerbs = ["create", "update", "patch", "delete", "deletecollection", "escalate", "bind", "impersonate", "*"];

    internal static List<(string File, object Object)> Load(string folder) =>
        Directory.EnumerateFiles(Path.Combine(Deploy, folder), "*.yaml")
            .Where(f => Path.GetFileName(f) != "kustomization.yaml")
            .SelectMany(f => KubernetesYaml.LoadAllFromString(File.ReadAllText(f)).Select(o => (Path.GetRelativePath(Deploy, f), o)))
            .ToList();

    [Fact]
    public void Every_manifest_parses_into_model_types()
    {
        var objects = Directory.EnumerateDirectories(Path.Combine(Deploy, "overlays")).Concat(Directory.EnumerateDirectories(Path.Combine(Deploy, "components")))
            .SelectMany(o => Load(Path.GetRelativePath(Deploy, o)))
            .Concat(Load("base")).ToList();
        Assert.NotEmpty(objects);
        Assert.All(objects, o => Assert.IsAssignableFrom<IKubernetesObject<V1ObjectMeta>>(o.Object));
    }

    [Fact]
    public void Every_resource_listed_in_a_kustomization_exists()
    {
        foreach (var kustomization in Directory.EnumerateFiles(Deploy, "kustomization.yaml", SearchOption.AllDirectories))
        {
            var dir = Path.GetDirectoryName(kustomization)!;
            var inResources = false;
            foreach (var line in File.ReadLines(kustomization))
            {
                if (!line.StartsWith(' ') && !line.StartsWith('-'))
                {
                    inResources = line.StartsWith("resources:", StringComparison.Ordinal);
                    continue;
                }

                if (inResources && line.TrimStart().StartsWith("- ", StringComparison.Ordinal))
                {
                    var path = Path.Combine(dir, line.Trim()[2..].Trim());
                    Assert.True(File.Exists(path) || Directory.Exists(path), $"{kustomization}: {path} does not exist");
                }
            }
        }
    }

    /// <summary>
    /// Each secret-holding component (Jira's token, Slack's signing secret, Teams' outgoing webhook token) patches what
    /// the base has (its settings ConfigMap, the service's container) and mounts its Secret read-only where its file
    /// setting reads it: no secret in the settings themselves.
    /// </summary>
    [Theory]
    [InlineData("jira", "DnsExpert__Jira__", "DnsExpert__Jira__ApiTokenFile", "dnsexpert-jira")]
    [InlineData("slack", "DnsExpert__Slack__", "DnsExpert__Slack__SigningSecretFile", "dnsexpert-slack")]
    [InlineData("teams", "DnsExpert__Teams__", "DnsExpert__Teams__OutgoingWebhookTokenFile", "dnsexpert-teams")]
    public void A_secret_component_mounts_its_secret_where_its_settings_read_it_and_patches_objects_of_the_base(string name, string prefix, string fileSetting, string secret)
    {
        var baseObjects = Load("base").Select(o => o.Object).ToList();
        var component = Load(Path.Combine("components", name)).Select(o => o.Object).ToList();

        var settings = Assert.Single(component.OfType<V1ConfigMap>());
        Assert.Contains(baseObjects.OfType<V1ConfigMap>(), c => c.Metadata.Name == settings.Metadata.Name && c.Metadata.NamespaceProperty == settings.Metadata.NamespaceProperty);
        Assert.All(settings.Data.Keys, k => Assert.StartsWith(prefix, k, StringComparison.Ordinal));
        Assert.DoesNotContain(settings.Data.Keys, k => k.EndsWith("Token", StringComparison.Ordinal) || k.EndsWith("Secret", StringComparison.Ordinal));

        var patch = Assert.Single(component.OfType<V1Deployment>());
        var target = Assert.Single(baseObjects.OfType<V1Deployment>(), d => d.Metadata.Name == patch.Metadata.Name && d.Metadata.NamespaceProperty == patch.Metadata.NamespaceProperty);
        var container = Assert.Single(patch.Spec.Template.Spec.Containers);
        Assert.Contains(target.Spec.Template.Spec.Containers, c => c.Name == container.Name);
        var mount = Assert.Single(container.VolumeMounts);
        Assert.True(mount.ReadOnlyProperty);
        Assert.StartsWith(mount.MountPath + "/", settings.Data[fileSetting], StringComparison.Ordinal);
        var volume = Assert.Single(patch.Spec.Template.Spec.Volumes, v => v.Name == mount.Name);
        Assert.Equal(secret, volume.Secret.SecretName);
        Assert.DoesNotContain(target.Spec.Template.Spec.Volumes, v => v.Name == mount.Name);

        // The key the component's comment creates the Secret with is the file the setting names.
        var kustomization = File.ReadAllText(Path.Combine(Deploy, "components", name, "kustomization.yaml"));
        Assert.Contains($"create secret generic {secret} --from-file={Path.GetFileName(settings.Data[fileSetting])}=", kustomization, StringComparison.Ordinal);
    }

    [Fact]
    public void The_base_rbac_only_reads_and_never_touches_secrets_or_exec()
    {
        var rules = Load("base").Concat(Load(OpenShift)).Select(o => o.Object).SelectMany(o => o switch
        {
            V1ClusterRole r => r.Rules,
            V1Role r => r.Rules,
            _ => [],
        }).ToList();
        Assert.NotEmpty(rules);
        foreach (var rule in rules)
        {
            Assert.Empty(rule.Verbs.Intersect(WriteVerbs));
            Assert.DoesNotContain("secrets", rule.Resources ?? []);
            Assert.DoesNotContain("pods/exec", rule.Resources ?? []);
            Assert.DoesNotContain("*", rule.Resources ?? []);
            Assert.DoesNotContain("*", rule.ApiGroups ?? []);
        }

        var kubeSystem = Assert.Single(Load("base").Select(o => o.Object).OfType<V1Role>());
        Assert.Equal("kube-system", kubeSystem.Metadata.NamespaceProperty);
        // pods/proxy only in kube-system and only get: the CoreDNS pods' /metrics without a Prometheus server.
        Assert.Equal(["pods/log", "pods/proxy", "configmaps"], kubeSystem.Rules.SelectMany(r => r.Resources));
        Assert.Equal(["get"], kubeSystem.Rules.Single(r => r.Resources.Contains("pods/proxy")).Verbs);
        Assert.DoesNotContain(Load("base").Concat(Load(OpenShift)).Select(o => o.Object).OfType<V1ClusterRole>().SelectMany(r => r.Rules), r => (r.Resources ?? []).Contains("pods/proxy"));
        Assert.Equal(["coredns", "rke2-coredns-rke2-coredns", "coredns-custom", "kube-proxy", "kube-proxy-worker"], kubeSystem.Rules.Single(r => r.Resources.Contains("configmaps")).ResourceNames);

        // Events are read, never written or watched.
        var events = Assert.Single(rules, r => (r.Resources ?? []).Contains("events"));
        Assert.Equal(["events"], events.Resources);
        Assert.Equal(["get", "list"], events.Verbs);

        // Nothing cluster-wide can read ConfigMaps (they may hold credentials).
        Assert.DoesNotContain(Load("base").Select(o => o.Object).OfType<V1ClusterRole>().SelectMany(r => r.Rules), r => r.Resources.Contains("configmaps"));
    }

    private static readonly string OpenShift = Path.Combine("components", "openshift");

    /// <summary>
    /// The collector reads every distribution's cluster DNS (ClusterDnsObjects.Layouts): each layout's Corefile
    /// ConfigMap and its pods' logs are granted by name in its namespace, kube-system's in the base and openshift-dns's
    /// in the OpenShift component (a Role in a namespace that does not exist would fail the base's apply elsewhere), and
    /// each namespace's labels may be read.
    /// </summary>
    [Fact]
    public void Every_distributions_cluster_dns_is_readable_by_name_in_its_namespace_and_nowhere_else()
    {
        var roles = Load("base").Concat(Load(OpenShift)).Select(o => o.Object).OfType<V1Role>().ToList();
        var bindings = Load("base").Concat(Load(OpenShift)).Select(o => o.Object).OfType<V1RoleBinding>().ToList();
        foreach (var layout in Readers.Building.ClusterDnsObjects.Layouts)
        {
            var role = Assert.Single(roles, r => r.Metadata.NamespaceProperty == layout.Namespace);
            Assert.Contains(layout.ConfigMap, role.Rules.Single(r => r.Resources.Contains("configmaps")).ResourceNames);
            Assert.Equal(["get"], role.Rules.Single(r => r.Resources.Contains("pods/log")).Verbs);
            var binding = Assert.Single(bindings, b => b.Metadata.NamespaceProperty == layout.Namespace);
            Assert.Equal((role.Metadata.Name, "Role"), (binding.RoleRef.Name, binding.RoleRef.Kind));
            Assert.Equal(("ServiceAccount", "dnsexpert", "dnsexpert"), Assert.Single(binding.Subjects) is var s ? (s.Kind, s.Name, s.NamespaceProperty) : default);
        }

        var openshift = Assert.Single(Load(OpenShift).Select(o => o.Object).OfType<V1Role>());
        Assert.Equal(["dns-default"], openshift.Rules.Single(r => r.Resources.Contains("configmaps")).ResourceNames);
        Assert.DoesNotContain(Load("base").Select(o => o.Object).OfType<V1Role>(), r => r.Metadata.NamespaceProperty == "openshift-dns");
        Assert.Contains("kind: Component", File.ReadAllText(Path.Combine(Deploy, OpenShift, "kustomization.yaml")), StringComparison.Ordinal);

        var namespaces = Load("base").Select(o => o.Object).OfType<V1ClusterRole>().SelectMany(r => r.Rules).Single(r => r.Resources.Contains("namespaces"));
        Assert.Equal(["get"], namespaces.Verbs);
        Assert.Equal(Readers.Building.ClusterDnsObjects.Layouts.Select(l => l.Namespace).Distinct(), namespaces.ResourceNames);
    }

    [Fact]
    public void Exec_is_granted_only_by_the_opt_in_overlay()
    {
        var exec = Load(Path.Combine("overlays", "exec")).Select(o => o.Object).OfType<V1ClusterRole>().SelectMany(r => r.Rules).ToList();
        var rule = Assert.Single(exec);
        Assert.Equal(["pods/exec"], rule.Resources);
        Assert.Equal(["create"], rule.Verbs);
    }

    [Fact]
    public void Every_container_runs_as_non_root_with_limits_and_a_read_only_root()
    {
        var pods = Load("base").Select(o => o.Object).Select(o => o switch
        {
            V1Deployment d => d.Spec.Template.Spec,
            V1DaemonSet d => d.Spec.Template.Spec,
            _ => null,
        }).OfType<V1PodSpec>().ToList();
        Assert.Equal(2, pods.Count);
        foreach (var pod in pods)
        {
            Assert.True(pod.SecurityContext?.RunAsNonRoot);
            foreach (var container in pod.Containers)
            {
                Assert.NotNull(container.Resources?.Limits?["cpu"]);
                Assert.NotNull(container.Resources?.Limits?["memory"]);
                Assert.False(container.SecurityContext?.AllowPrivilegeEscalation ?? true);
                Assert.True(container.SecurityContext?.ReadOnlyRootFilesystem);
            }
        }

        var agent = Load("base").Select(o => o.Object).OfType<V1DaemonSet>().Single();
        Assert.All(agent.Spec.Template.Spec.Volumes.Where(v => v.HostPath is not null), v =>
            Assert.True(agent.Spec.Template.Spec.Containers[0].VolumeMounts.Single(m => m.Name == v.Name).ReadOnlyProperty));
    }

    [Fact]
    public void Only_the_api_may_reach_the_agent_port_and_the_agent_needs_its_token()
    {
        var objects = Load("base").Select(o => o.Object).ToList();
        var agent = objects.OfType<V1DaemonSet>().Single();
        var api = objects.OfType<V1Deployment>().Single();
        var port = agent.Spec.Template.Spec.Containers[0].Ports.Single(p => p.Name == "agent").ContainerPort;

        var policy = objects.OfType<V1NetworkPolicy>().Single(p => p.Spec.PodSelector.MatchLabels.SequenceEqual(agent.Spec.Selector.MatchLabels));
        Assert.Equal(["Ingress"], policy.Spec.PolicyTypes);
        var rule = Assert.Single(policy.Spec.Ingress);
        Assert.Equal(api.Spec.Selector.MatchLabels, Assert.Single(rule.FromProperty).PodSelector.MatchLabels);
        Assert.Equal(port.ToString(System.Globalization.CultureInfo.InvariantCulture), Assert.Single(rule.Ports).Port.Value);

        var args = agent.Spec.Template.Spec.Containers[0].Args;
        var tokenFile = args[args.IndexOf("--token-file") + 1];
        var secret = agent.Spec.Template.Spec.Volumes.Single(v => v.Secret?.SecretName == "dnsexpert-agent-token");
        Assert.False(secret.Secret.Optional ?? false);
        Assert.StartsWith(agent.Spec.Template.Spec.Containers[0].VolumeMounts.Single(m => m.Name == secret.Name).MountPath + "/", tokenFile, StringComparison.Ordinal);
    }
}

public sealed class AvailabilityManifestTests
{
    private static readonly string Base = Path.Combine(RepoPaths.Root, "deploy", "base");

    private static List<object> Objects() =>
        Directory.EnumerateFiles(Base, "*.yaml").Where(f => Path.GetFileName(f) != "kustomization.yaml")
            .SelectMany(f => KubernetesYaml.LoadAllFromString(File.ReadAllText(f))).ToList();

    [Fact]
    public void The_api_runs_two_replicas_behind_a_disruption_budget_and_takes_settings_from_a_configmap()
    {
        var objects = Objects();
        var api = objects.OfType<V1Deployment>().Single();
        Assert.Equal(2, api.Spec.Replicas);

        var pdb = objects.OfType<V1PodDisruptionBudget>().Single();
        Assert.Equal(api.Spec.Selector.MatchLabels, pdb.Spec.Selector.MatchLabels);

        var settings = objects.OfType<V1ConfigMap>().Single(c => c.Metadata.Name == "dnsexpert-settings");
        Assert.Equal("dnsexpert-settings", api.Spec.Template.Spec.Containers[0].EnvFrom.Single().ConfigMapRef.Name);
        Assert.Equal("true", settings.Data["DnsExpert__Cluster__Enabled"]);

        // Authentication is on, with hashed keys from a Secret mounted read-only (the service account cannot read Secrets).
        Assert.Equal("true", settings.Data["DnsExpert__Auth__Enabled"]);
        var keys = api.Spec.Template.Spec.Volumes.Single(v => v.Secret?.SecretName == "dnsexpert-api-keys");
        var mount = api.Spec.Template.Spec.Containers[0].VolumeMounts.Single(m => m.Name == keys.Name);
        Assert.True(mount.ReadOnlyProperty);
        Assert.StartsWith(mount.MountPath + "/", settings.Data["DnsExpert__Auth__ApiKeysFile"], StringComparison.Ordinal);
        Assert.Equal("json", settings.Data["Logging__Console__FormatterName"]);

        var policy = objects.OfType<V1NetworkPolicy>().Single(p => p.Metadata.Name == "dnsexpert-api");
        Assert.Equal(api.Spec.Selector.MatchLabels, policy.Spec.PodSelector.MatchLabels);
        Assert.Equal("8080", policy.Spec.Ingress.Single().Ports.Single().Port.Value);
    }

    [Fact]
    public void Each_history_overlay_patches_objects_of_the_base()
    {
        var baseObjects = Objects();
        var baseApi = baseObjects.OfType<V1Deployment>().Single();
        Assert.Equal("none", baseObjects.OfType<V1ConfigMap>().Single(c => c.Metadata.Name == "dnsexpert-settings").Data["DnsExpert__History__Provider"]);

        // SQLite: one replica (one writer), recreated on upgrade, the file on a claim the overlay creates.
        var sqlite = ManifestTests.Load(Path.Combine("overlays", "sqlite")).Select(o => o.Object).ToList();
        var sqliteApi = sqlite.OfType<V1Deployment>().Single();
        Assert.Equal((baseApi.Metadata.Name, baseApi.Metadata.NamespaceProperty), (sqliteApi.Metadata.Name, sqliteApi.Metadata.NamespaceProperty));
        Assert.Equal((1, "Recreate"), (sqliteApi.Spec.Replicas, sqliteApi.Spec.Strategy.Type));
        Assert.Equal(baseApi.Spec.Template.Spec.Containers[0].Name, sqliteApi.Spec.Template.Spec.Containers[0].Name);
        var claim = sqliteApi.Spec.Template.Spec.Volumes.Single().PersistentVolumeClaim.ClaimName;
        Assert.Equal(claim, sqlite.OfType<V1PersistentVolumeClaim>().Single().Metadata.Name);
        Assert.Equal("/var/lib/dnsexpert", sqliteApi.Spec.Template.Spec.Containers[0].VolumeMounts.Single().MountPath);
        var sqliteKustomization = File.ReadAllText(Path.Combine(ManifestTests.Deploy, "overlays", "sqlite", "kustomization.yaml"));
        Assert.Contains("value: /var/lib/dnsexpert/history.db", sqliteKustomization, StringComparison.Ordinal);

        // PostgreSQL: replicas share it; the connection string comes from a Secret the service account cannot read.
        var postgresApi = ManifestTests.Load(Path.Combine("overlays", "postgres")).Select(o => o.Object).OfType<V1Deployment>().Single();
        Assert.True(postgresApi.Spec.Replicas >= 2);
        var env = postgresApi.Spec.Template.Spec.Containers.Single().Env.Single();
        Assert.Equal(("DnsExpert__History__ConnectionString", "dnsexpert-postgres"), (env.Name, env.ValueFrom.SecretKeyRef.Name));
        Assert.DoesNotContain(ManifestTests.Load(Path.Combine("overlays", "postgres")), o => o.Object is V1Secret);
        Assert.Contains("value: postgres", File.ReadAllText(Path.Combine(ManifestTests.Deploy, "overlays", "postgres", "kustomization.yaml")), StringComparison.Ordinal);
    }

    [Fact]
    public void The_dockerfile_restore_layer_copies_every_project_the_cli_needs()
    {
        var root = Path.GetDirectoryName(ManifestTests.Deploy)!;
        var dockerfile = File.ReadAllText(Path.Combine(root, "Dockerfile"));
        var needed = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([Path.Combine(root, "src", "DnsExpert.Cli", "DnsExpert.Cli.csproj")]);
        while (pending.TryPop(out var project))
        {
            if (!needed.Add(Path.GetRelativePath(root, project).Replace('\\', '/')))
            {
                continue;
            }

            foreach (var reference in System.Xml.Linq.XDocument.Load(project).Descendants("ProjectReference"))
            {
                pending.Push(Path.GetFullPath(Path.Combine(Path.GetDirectoryName(project)!, reference.Attribute("Include")!.Value.Replace('\\', '/'))));
            }
        }

        Assert.True(needed.Count >= 5);
        Assert.All(needed, project => Assert.Contains($"COPY {project} ", dockerfile, StringComparison.Ordinal));
    }

    [Fact]
    public void The_image_serves_the_api_with_the_settings_of_its_host_project()
    {
        var root = Path.GetDirectoryName(ManifestTests.Deploy)!;
        var dockerfile = File.ReadAllText(Path.Combine(root, "Dockerfile"));

        // The image runs `dnsexpert serve` in /app, its content root: the API's appsettings.json must be there.
        Assert.True(File.Exists(Path.Combine(root, "src", "DnsExpert.Server", "appsettings.json")));
        Assert.Contains("COPY src/DnsExpert.Server/appsettings.json ./", dockerfile, StringComparison.Ordinal);
        Assert.Contains("WORKDIR /app", dockerfile, StringComparison.Ordinal);
    }
}
