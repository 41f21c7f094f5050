import type { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import type { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import type { INetworkPolicyPeer } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicyPeer';
import type { INetworkPolicyPort } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicyPort';
import type { Service } from 'kubernetes-models/v1';
import type { IContainerPort } from 'kubernetes-models/v1/ContainerPort';
import type { KubeObject } from './objects';
import {
  findPort,
  type LabelSelector,
  mapSelector,
  type PodTemplate,
  podTemplates,
  selectedPods,
  selects,
} from './selectors';

// Who reaches what: Services and the ServiceMonitor land on ports that
// exist, and the NetworkPolicies keep /metrics to the monitoring namespace,
// the revocation feed to resource pods, and auth's egress to PostgreSQL and
// DNS, under a default deny.

const MONITORING = 'monitoring';
const NAMESPACE_NAME = 'kubernetes.io/metadata.name';
/** Auth's only destinations: PostgreSQL, and DNS (over UDP and TCP). */
const AUTH_EGRESS = ['5432/TCP', '53/UDP', '53/TCP'];

const runs = (pod: PodTemplate, container: string) =>
  pod.spec.containers.some((candidate) => candidate.name === container);
const isEmpty = (selector: LabelSelector | undefined) =>
  Object.keys(selector?.matchLabels ?? {}).length === 0 &&
  (selector?.matchExpressions ?? []).length === 0;
const namespaceNamed = (peer: INetworkPolicyPeer, name: string) =>
  peer.namespaceSelector?.matchLabels?.[NAMESPACE_NAME] === name;

function byKind<K extends KubeObject['kind']>(objects: readonly KubeObject[], kind: K) {
  return objects.filter(
    (object): object is Extract<KubeObject, { kind: K }> => object.kind === kind,
  );
}

function serviceViolations(objects: readonly KubeObject[], pods: PodTemplate[]): string[] {
  const out: string[] = [];
  for (const service of byKind(objects, 'Service')) {
    const where = `Service ${service.metadata?.name}`;
    const selected = selectedPods(
      pods,
      service.metadata?.namespace,
      mapSelector(service.spec?.selector),
    );
    if (selected.length === 0) out.push(`${where}: its selector selects no pods`);
    for (const port of service.spec?.ports ?? [])
      for (const pod of selected)
        if (findPort(pod.spec, port.targetPort ?? port.port) === undefined)
          out.push(
            `${where}: targetPort ${port.targetPort ?? port.port} is not a port of ${pod.name}`,
          );
  }
  return out;
}

/** The container port behind a Service's port, on each pod it selects. */
function targets(
  service: Service,
  pods: PodTemplate[],
  port: (p: { name?: string; port: number }) => boolean,
) {
  const servicePort = (service.spec?.ports ?? []).find(port);
  if (servicePort === undefined) return [];
  return selectedPods(pods, service.metadata?.namespace, mapSelector(service.spec?.selector)).map(
    (pod) => findPort(pod.spec, servicePort.targetPort ?? servicePort.port),
  );
}

function monitorViolations(objects: readonly KubeObject[], pods: PodTemplate[]): string[] {
  const out: string[] = [];
  const services = byKind(objects, 'Service');
  for (const monitor of byKind(objects, 'ServiceMonitor') as ServiceMonitor[]) {
    const where = `ServiceMonitor ${monitor.metadata?.name}`;
    const selected = services.filter(
      (service) =>
        service.metadata?.namespace === monitor.metadata?.namespace &&
        selects(monitor.spec.selector, service.metadata?.labels),
    );
    if (selected.length === 0) out.push(`${where}: its selector selects no Service`);
    for (const endpoint of monitor.spec.endpoints ?? [])
      for (const service of selected) {
        const ports = targets(service, pods, (port) => port.name === endpoint.port);
        if (ports.length === 0 || ports.some((port) => port?.name !== 'metrics'))
          out.push(
            `${where}: port ${endpoint.port} of Service ${service.metadata?.name} is not the pods' metrics port`,
          );
      }
  }
  return out;
}

/** Whether a policy port entry admits the container port (no entries: every port). */
function covers(ports: INetworkPolicyPort[] | undefined, port: IContainerPort): boolean {
  if (ports === undefined || ports.length === 0) return true;
  return ports.some(({ port: entry, endPort, protocol = 'TCP' }) => {
    if (protocol !== (port.protocol ?? 'TCP')) return false;
    if (typeof entry === 'string') return entry === port.name;
    if (entry === undefined) return true;
    return port.containerPort >= entry && port.containerPort <= (endPort ?? entry);
  });
}

function policiesFor(policies: NetworkPolicy[], pod: PodTemplate, type: 'Ingress' | 'Egress') {
  return policies.filter(
    (policy) =>
      policy.metadata?.namespace === pod.namespace &&
      selects(policy.spec?.podSelector, pod.labels) &&
      (policy.spec?.policyTypes ?? ['Ingress']).includes(type),
  );
}

/** Every ingress rule admitting `portName` of the pod must admit only peers `allowed` accepts. */
function ingressOnlyFrom(
  policies: NetworkPolicy[],
  pod: PodTemplate,
  portName: string,
  allowed: (peer: INetworkPolicyPeer) => boolean,
  who: string,
): string[] {
  const port = findPort(pod.spec, portName);
  if (port === undefined) return [];
  const rules = policiesFor(policies, pod, 'Ingress').flatMap((policy) =>
    (policy.spec?.ingress ?? []).map((rule) => ({ policy: policy.metadata?.name, rule })),
  );
  const admitting = rules.filter(({ rule }) => covers(rule.ports, port));
  const out = admitting
    .filter(({ rule }) => (rule.from ?? []).length === 0 || !(rule.from ?? []).every(allowed))
    .map(
      ({ policy }) =>
        `${pod.name}: NetworkPolicy ${policy} opens port ${portName} to more than ${who}`,
    );
  if (admitting.length === 0)
    out.push(`${pod.name}: no NetworkPolicy lets ${who} reach port ${portName}`);
  return out;
}

function authEgressViolations(policies: NetworkPolicy[], pod: PodTemplate): string[] {
  const out: string[] = [];
  let database = false;
  for (const policy of policiesFor(policies, pod, 'Egress'))
    for (const rule of policy.spec?.egress ?? []) {
      const where = `${pod.name}: NetworkPolicy ${policy.metadata?.name}`;
      const ports = (rule.ports ?? []).map((p) => `${p.port}/${p.protocol ?? 'TCP'}`);
      if (ports.length === 0 || (rule.to ?? []).length === 0)
        out.push(`${where} lets auth reach any port or any address`);
      for (const port of ports)
        if (!AUTH_EGRESS.includes(port)) out.push(`${where} lets auth reach ${port}`);
      if (
        ports.some((port) => port.startsWith('53/')) &&
        !(rule.to ?? []).every((peer) => namespaceNamed(peer, 'kube-system'))
      )
        out.push(`${where} lets auth reach port 53 outside kube-system`);
      if (ports.includes('5432/TCP')) database = true;
    }
  if (!database) out.push(`${pod.name}: no NetworkPolicy lets auth reach PostgreSQL`);
  return out;
}

function networkPolicyViolations(objects: readonly KubeObject[], pods: PodTemplate[]): string[] {
  const out: string[] = [];
  const policies = byKind(objects, 'NetworkPolicy') as NetworkPolicy[];
  for (const policy of policies) {
    const where = `NetworkPolicy ${policy.metadata?.name}`;
    const namespace = policy.metadata?.namespace;
    const selected = selectedPods(pods, namespace, policy.spec?.podSelector);
    if (!isEmpty(policy.spec?.podSelector) && selected.length === 0)
      out.push(`${where}: its podSelector selects no pods`);
    const peers = [
      ...(policy.spec?.ingress ?? []).flatMap((rule) => rule.from ?? []),
      ...(policy.spec?.egress ?? []).flatMap((rule) => rule.to ?? []),
    ];
    for (const peer of peers)
      if (
        peer.podSelector !== undefined &&
        peer.namespaceSelector === undefined &&
        selectedPods(pods, namespace, peer.podSelector).length === 0
      )
        out.push(`${where}: a peer's podSelector selects no pods`);
    for (const rule of policy.spec?.ingress ?? [])
      for (const entry of rule.ports ?? [])
        if (typeof entry.port === 'string')
          for (const pod of selected)
            if (findPort(pod.spec, entry.port) === undefined)
              out.push(`${where}: port ${entry.port} is not a port of ${pod.name}`);
  }
  const isResource = (peer: INetworkPolicyPeer, namespace: string | undefined) => {
    if (peer.namespaceSelector !== undefined || peer.ipBlock !== undefined) return false;
    const selected = selectedPods(pods, namespace, peer.podSelector);
    return selected.length > 0 && selected.every((pod) => runs(pod, 'resource'));
  };
  const monitoring = (peer: INetworkPolicyPeer) =>
    peer.ipBlock === undefined && namespaceNamed(peer, MONITORING);
  for (const pod of pods.filter((p) => runs(p, 'auth') || runs(p, 'resource'))) {
    const denied = policies.some(
      (policy) =>
        policy.metadata?.namespace === pod.namespace &&
        isEmpty(policy.spec?.podSelector) &&
        (['Ingress', 'Egress'] as const).every((type) =>
          policy.spec?.policyTypes?.includes(type),
        ) &&
        (policy.spec?.ingress ?? []).length === 0 &&
        (policy.spec?.egress ?? []).length === 0,
    );
    if (!denied) out.push(`${pod.name}: its namespace has no default-deny NetworkPolicy`);
    out.push(
      ...ingressOnlyFrom(policies, pod, 'metrics', monitoring, `the ${MONITORING} namespace`),
    );
    if (runs(pod, 'auth')) {
      out.push(
        ...ingressOnlyFrom(
          policies,
          pod,
          'internal',
          (peer) => isResource(peer, pod.namespace),
          'resource pods',
        ),
      );
      out.push(...authEgressViolations(policies, pod));
    }
  }
  return out;
}

export function connectivityViolations(objects: readonly KubeObject[]): string[] {
  const pods = podTemplates(objects);
  return [
    ...serviceViolations(objects, pods),
    ...monitorViolations(objects, pods),
    ...networkPolicyViolations(objects, pods),
  ];
}
