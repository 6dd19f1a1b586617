namespace DnsExpert.Facts;

/// <summary>
/// The property is null when it was not read or measured (a CoreDNS pod from a <c>kubectl get pods</c> table has no
/// image, so no version; a node without metrics has no CPU use), not when there is nothing. A rule condition on it
/// cannot rule its cause out while every fact of the type has it null: the hypothesis stays unverified and names
/// <c>Type.Property</c> as missing, with the <c>collect:</c> commands that list it in their <c>facts</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Property, Inherited = true)]
public sealed class UnknownWhenNullAttribute : Attribute;
