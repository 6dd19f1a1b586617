using System.Text.Json.Serialization;
using k8s.Models;

namespace DnsExpert.Readers.Objects;

// Null-oblivious as KubernetesClient's models are: the readers' null checks stay as they were written against those.
#nullable disable

// The Kubernetes objects of a snapshot as the readers read them: KubernetesClient's models' shape and names, but only
// the fields some reader reads (ObjectJson reads them; every other field of the object is skipped unread). The value
// types with their own JSON forms (ResourceQuantity, IntOrString, dates) are read by KubernetesClient's converters.

/// <summary>metadata.</summary>
public sealed class ObjectMeta
{
    public string Name { get; set; }

    [JsonPropertyName("namespace")]
    public string NamespaceProperty { get; set; }

    public IDictionary<string, string> Labels { get; set; }

    public IDictionary<string, string> Annotations { get; set; }

    public DateTime? CreationTimestamp { get; set; }

    public IList<OwnerReference> OwnerReferences { get; set; }
}

public sealed class OwnerReference
{
    public string Kind { get; set; }

    public string Name { get; set; }

    public bool? Controller { get; set; }
}

public sealed class LabelSelector
{
    public IDictionary<string, string> MatchLabels { get; set; }

    public IList<LabelSelectorRequirement> MatchExpressions { get; set; }
}

public sealed class LabelSelectorRequirement
{
    public string Key { get; set; }

    [JsonPropertyName("operator")]
    public string OperatorProperty { get; set; }

    public IList<string> Values { get; set; }
}

public sealed class Pod
{
    public ObjectMeta Metadata { get; set; }

    public PodSpec Spec { get; set; }

    public PodStatus Status { get; set; }
}

public sealed class PodTemplateSpec
{
    public ObjectMeta Metadata { get; set; }

    public PodSpec Spec { get; set; }
}

public sealed class PodSpec
{
    public IList<Container> Containers { get; set; }

    public string NodeName { get; set; }

    public string Hostname { get; set; }

    public string Subdomain { get; set; }

    public string ServiceAccountName { get; set; }

    public string DnsPolicy { get; set; }

    public PodDNSConfig DnsConfig { get; set; }

    public bool? HostNetwork { get; set; }

    public IList<Volume> Volumes { get; set; }
}

public sealed class PodDNSConfig
{
    public IList<string> Nameservers { get; set; }

    public IList<PodDNSConfigOption> Options { get; set; }

    public IList<string> Searches { get; set; }
}

public sealed class PodDNSConfigOption
{
    public string Name { get; set; }

    public string Value { get; set; }
}

public sealed class Volume
{
    public string Name { get; set; }

    public ConfigMapVolumeSource ConfigMap { get; set; }
}

public sealed class ConfigMapVolumeSource
{
    public string Name { get; set; }
}

public sealed class Container
{
    public string Name { get; set; }

    public string Image { get; set; }

    public IList<string> Args { get; set; }

    public IList<string> Command { get; set; }

    public IList<ContainerPortSpec> Ports { get; set; }

    public ResourceRequirements Resources { get; set; }
}

/// <summary>A container's port (KubernetesClient's V1ContainerPort: a member cannot share its class's name).</summary>
public sealed class ContainerPortSpec
{
    public string Name { get; set; }

    public int ContainerPort { get; set; }

    public string Protocol { get; set; }
}

public sealed class ResourceRequirements
{
    public IDictionary<string, ResourceQuantity> Limits { get; set; }

    public IDictionary<string, ResourceQuantity> Requests { get; set; }
}

public sealed class PodStatus
{
    public string Phase { get; set; }

    public string PodIP { get; set; }

    public IList<PodCondition> Conditions { get; set; }

    public IList<ContainerStatus> ContainerStatuses { get; set; }
}

public sealed class PodCondition
{
    public string Type { get; set; }

    public string Status { get; set; }
}

public sealed class ContainerStatus
{
    public string Name { get; set; }

    public bool Ready { get; set; }

    public int RestartCount { get; set; }

    public ContainerState State { get; set; }

    public ContainerState LastState { get; set; }
}

public sealed class ContainerState
{
    public ContainerStateWaiting Waiting { get; set; }

    public ContainerStateTerminated Terminated { get; set; }
}

public sealed class ContainerStateWaiting
{
    public string Reason { get; set; }
}

public sealed class ContainerStateTerminated
{
    public string Reason { get; set; }

    public DateTime? FinishedAt { get; set; }
}

public sealed class Service
{
    public ObjectMeta Metadata { get; set; }

    public ServiceSpec Spec { get; set; }
}

public sealed class ServiceSpec
{
    public string ClusterIP { get; set; }

    public string Type { get; set; }

    public IDictionary<string, string> Selector { get; set; }

    public IList<ServicePort> Ports { get; set; }

    public bool? PublishNotReadyAddresses { get; set; }

    public string SessionAffinity { get; set; }
}

public sealed class ServicePort
{
    public string Name { get; set; }

    public int Port { get; set; }

    public string Protocol { get; set; }
}

public sealed class Endpoints
{
    public ObjectMeta Metadata { get; set; }

    public IList<EndpointSubset> Subsets { get; set; }
}

public sealed class EndpointSubset
{
    public IList<EndpointAddress> Addresses { get; set; }

    public IList<EndpointAddress> NotReadyAddresses { get; set; }
}

public sealed class EndpointAddress
{

}

public sealed class EndpointSlice
{
    public ObjectMeta Metadata { get; set; }

    public IList<Endpoint> Endpoints { get; set; }
}

public sealed class Endpoint
{
    public IList<string> Addresses { get; set; }

    public EndpointConditions Conditions { get; set; }
}

public sealed class EndpointConditions
{
    public bool? Ready { get; set; }
}

public sealed class ConfigMap
{
    public ObjectMeta Metadata { get; set; }

    public IDictionary<string, string> Data { get; set; }
}

public sealed class Deployment
{
    public ObjectMeta Metadata { get; set; }

    public WorkloadSpec Spec { get; set; }

    public DeploymentStatus Status { get; set; }
}

public sealed class DaemonSet
{
    public ObjectMeta Metadata { get; set; }

    public WorkloadSpec Spec { get; set; }

    public DaemonSetStatus Status { get; set; }
}

public sealed class StatefulSet
{
    public ObjectMeta Metadata { get; set; }

    public WorkloadSpec Spec { get; set; }

    public StatefulSetStatus Status { get; set; }
}

/// <summary>A Deployment's, DaemonSet's or StatefulSet's spec: what the readers read of them (replicas and serviceName are not DaemonSets').</summary>
public sealed class WorkloadSpec
{
    public int? Replicas { get; set; }

    public LabelSelector Selector { get; set; }

    public PodTemplateSpec Template { get; set; }

    public string ServiceName { get; set; }
}

public sealed class DeploymentStatus
{
    public int? Replicas { get; set; }
}

public sealed class DaemonSetStatus
{
    public int DesiredNumberScheduled { get; set; }

    public int NumberReady { get; set; }
}

public sealed class StatefulSetStatus
{
    public int Replicas { get; set; }
}

public sealed class Node
{
    public ObjectMeta Metadata { get; set; }

    public NodeSpec Spec { get; set; }

    public NodeStatus Status { get; set; }
}

public sealed class NodeSpec
{
    public string ProviderID { get; set; }
}

public sealed class NodeStatus
{
    public IList<NodeAddress> Addresses { get; set; }

    public IDictionary<string, ResourceQuantity> Allocatable { get; set; }

    public IList<NodeCondition> Conditions { get; set; }

    public NodeSystemInfo NodeInfo { get; set; }
}

public sealed class NodeAddress
{
    public string Address { get; set; }

    public string Type { get; set; }
}

public sealed class NodeCondition
{
    public string Type { get; set; }

    public string Status { get; set; }
}

public sealed class NodeSystemInfo
{
    public string KernelVersion { get; set; }

    public string OsImage { get; set; }

    public string KubeletVersion { get; set; }

    public string Architecture { get; set; }
}

public sealed class NetworkPolicy
{
    public ObjectMeta Metadata { get; set; }

    public NetworkPolicySpec Spec { get; set; }
}

public sealed class NetworkPolicySpec
{
    public LabelSelector PodSelector { get; set; }

    public IList<string> PolicyTypes { get; set; }

    public IList<NetworkPolicyEgressRule> Egress { get; set; }
}

public sealed class NetworkPolicyEgressRule
{
    public IList<NetworkPolicyPeer> To { get; set; }

    public IList<NetworkPolicyPort> Ports { get; set; }
}

public sealed class NetworkPolicyPeer
{
    public LabelSelector PodSelector { get; set; }

    public LabelSelector NamespaceSelector { get; set; }

    public IPBlock IpBlock { get; set; }
}

public sealed class IPBlock
{
    public string Cidr { get; set; }

    public IList<string> Except { get; set; }
}

public sealed class NetworkPolicyPort
{
    public string Protocol { get; set; }

    public IntOrString Port { get; set; }

    public int? EndPort { get; set; }
}

public sealed class Namespace
{
    public ObjectMeta Metadata { get; set; }
}

/// <summary>metrics.k8s.io PodMetrics.</summary>
public sealed class PodMetrics
{
    public ObjectMeta Metadata { get; set; }

    public IList<ContainerMetrics> Containers { get; set; }
}

public sealed class ContainerMetrics
{
    public string Name { get; set; }

    public IDictionary<string, ResourceQuantity> Usage { get; set; }
}

/// <summary>metrics.k8s.io NodeMetrics.</summary>
public sealed class NodeMetrics
{
    public ObjectMeta Metadata { get; set; }

    public IDictionary<string, ResourceQuantity> Usage { get; set; }
}

public sealed class ObjectReference
{
    public string Kind { get; set; }

    public string Name { get; set; }

    [JsonPropertyName("namespace")]
    public string NamespaceProperty { get; set; }

    public string FieldPath { get; set; }
}

public sealed class EventSource
{
    public string Component { get; set; }
}

/// <summary>A core/v1 Event's series.</summary>
public sealed class EventSeries
{
    public int? Count { get; set; }

    public DateTime? LastObservedTime { get; set; }
}

/// <summary>An events.k8s.io/v1 Event's series: both fields required there.</summary>
public sealed class EventsSeries
{
    public int Count { get; set; }

    public DateTime LastObservedTime { get; set; }
}

/// <summary>A core/v1 Event.</summary>
public sealed class CoreEvent
{
    public ObjectMeta Metadata { get; set; }

    public ObjectReference InvolvedObject { get; set; }

    public string Reason { get; set; }

    public string Message { get; set; }

    public string Type { get; set; }

    public int? Count { get; set; }

    public DateTime? LastTimestamp { get; set; }

    public DateTime? EventTime { get; set; }

    public EventSeries Series { get; set; }

    public EventSource Source { get; set; }

    public string ReportingComponent { get; set; }
}

/// <summary>An events.k8s.io/v1 Event.</summary>
public sealed class EventsEvent
{
    public ObjectMeta Metadata { get; set; }

    public ObjectReference Regarding { get; set; }

    public string Reason { get; set; }

    public string Note { get; set; }

    public string Type { get; set; }

    public int? DeprecatedCount { get; set; }

    public DateTime? DeprecatedLastTimestamp { get; set; }

    public DateTime? EventTime { get; set; }

    public EventsSeries Series { get; set; }

    public EventSource DeprecatedSource { get; set; }

    public string ReportingController { get; set; }
}
