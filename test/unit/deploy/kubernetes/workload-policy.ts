import type { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import type { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IProbe } from 'kubernetes-models/v1/Probe';
import type { Documented } from './documented';
import { environmentOf, environmentViolations } from './environment';
import type { KubeObject } from './objects';
import { allContainers, findPort, type PodTemplate, podTemplates, selects } from './selectors';

// What every pod must be (probed, bounded, hardened), and what a replica
// of one of the two services must also be to survive rollouts, drains and
// shutdowns without failing a request.

/** service-kit's server.close() grace: requests in flight get this long after SIGTERM. */
export const DRAIN_SECONDS = 10;

/** The least startup budget (periodSeconds x failureThreshold) each service needs. */
export const MIN_STARTUP_SECONDS: Readonly<Record<string, number>> = {
  // The port opens after the database answers (DB_STARTUP_TIMEOUT_MS, 30 s
  // of retries) and the migrations ran under their advisory lock, behind
  // another replica's if it got there first: four minutes allowed for those.
  auth: 30 + 240,
  // After one JWKS fetch and one feed read, each bounded by its timeout.
  resource: 30,
};

/** The container port each port variable must match. */
const PORT_VARIABLES = { PORT: 'http', INTERNAL_PORT: 'internal', METRICS_PORT: 'metrics' };

/**
 * The ports each service must listen on apart from the public one: without
 * METRICS_PORT, /metrics is served on the public port; without
 * INTERNAL_PORT, so is the revocation feed.
 */
const REQUIRED_PORTS: Readonly<Record<string, readonly string[]>> = {
  auth: ['http', 'internal', 'metrics'],
  resource: ['http', 'metrics'],
};

const probeBudget = (probe: IProbe) => (probe.periodSeconds ?? 10) * (probe.failureThreshold ?? 3);
const probePath = (probe: IProbe | undefined) => probe?.httpGet?.path;

/** Seconds a preStop hook sleeps: `sleep N` (or through a shell), or the sleep action. */
export function preStopSeconds(container: IContainer): number {
  const hook = container.lifecycle?.preStop;
  const command = (hook?.exec?.command ?? []).join(' ');
  const slept = /(?:^|[\s/;])sleep\s+(\d+)/.exec(command);
  if (slept !== null) return Number(slept[1]);
  const action = (hook as { sleep?: { seconds?: number } } | undefined)?.sleep;
  return action?.seconds ?? 0;
}

function hasTag(image: string): boolean {
  if (image.includes('@sha256:')) return true;
  const tag = /:([^/:]+)$/.exec(image)?.[1];
  return tag !== undefined && tag !== 'latest';
}

function containerViolations(pod: PodTemplate, container: IContainer, isInit: boolean): string[] {
  const where = `${pod.name} container ${container.name}`;
  const out: string[] = [];
  if (!isInit)
    for (const kind of ['startupProbe', 'livenessProbe', 'readinessProbe'] as const) {
      const probe = container[kind];
      if (probe === undefined) out.push(`${where}: no ${kind}`);
      const port = probe?.httpGet?.port ?? probe?.tcpSocket?.port;
      if (port !== undefined && findPort(pod.spec, port) === undefined)
        out.push(`${where}: ${kind} probes port ${port}, which no container declares`);
    }
  for (const bound of ['requests', 'limits'] as const)
    for (const resource of ['cpu', 'memory'])
      if (container.resources?.[bound]?.[resource] === undefined)
        out.push(`${where}: no ${resource} in resources.${bound}`);
  const context = container.securityContext ?? {};
  const podContext = pod.spec.securityContext ?? {};
  if ((context.runAsNonRoot ?? podContext.runAsNonRoot) !== true)
    out.push(`${where}: runAsNonRoot is not true`);
  const user = context.runAsUser ?? podContext.runAsUser;
  if (user === undefined || user === 0) out.push(`${where}: no fixed non-root runAsUser`);
  if (context.allowPrivilegeEscalation !== false)
    out.push(`${where}: allowPrivilegeEscalation is not false`);
  if (context.privileged === true) out.push(`${where}: privileged`);
  if (context.readOnlyRootFilesystem !== true)
    out.push(`${where}: readOnlyRootFilesystem is not true`);
  if (!(context.capabilities?.drop ?? []).includes('ALL'))
    out.push(`${where}: capabilities do not drop ALL`);
  if ((context.capabilities?.add ?? []).length > 0) out.push(`${where}: adds capabilities`);
  const seccomp = (context.seccompProfile ?? podContext.seccompProfile)?.type;
  if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost')
    out.push(`${where}: seccompProfile is not RuntimeDefault`);
  if (container.image === undefined || !hasTag(container.image))
    out.push(`${where}: image ${container.image} has no tag or digest, or is :latest`);
  return out;
}

/** The checks a replica of auth or resource needs beyond any pod's. */
function serviceViolations(
  pod: PodTemplate,
  container: IContainer,
  objects: readonly KubeObject[],
): string[] {
  const where = `${pod.name} container ${container.name}`;
  const out: string[] = [];
  const { workload } = pod;
  const namespace = pod.namespace;
  if (workload.kind !== 'Deployment')
    out.push(`${where}: runs in a ${workload.kind}, not a Deployment`);
  const autoscaler = objects.find(
    (object): object is HorizontalPodAutoscaler =>
      object.kind === 'HorizontalPodAutoscaler' &&
      object.metadata?.namespace === namespace &&
      object.spec?.scaleTargetRef.kind === workload.kind &&
      object.spec?.scaleTargetRef.name === workload.metadata?.name,
  );
  const replicas = workload.spec?.replicas ?? autoscaler?.spec?.minReplicas ?? 1;
  if (replicas < 2) out.push(`${pod.name}: fewer than 2 replicas`);
  if (autoscaler !== undefined && (autoscaler.spec?.minReplicas ?? 1) < 2)
    out.push(`${pod.name}: its autoscaler may go below 2 replicas`);
  if (workload.kind === 'Deployment') {
    const strategy = workload.spec?.strategy;
    const unavailable = strategy?.rollingUpdate?.maxUnavailable;
    if (strategy?.type !== 'RollingUpdate' || (unavailable !== 0 && unavailable !== '0%'))
      out.push(`${pod.name}: not a RollingUpdate with maxUnavailable 0`);
  }
  if (probePath(container.livenessProbe) !== '/healthz')
    out.push(`${where}: livenessProbe is not GET /healthz (liveness never checks the database)`);
  if (probePath(container.readinessProbe) !== '/readyz')
    out.push(`${where}: readinessProbe is not GET /readyz`);
  const startup = container.startupProbe;
  const needed = MIN_STARTUP_SECONDS[container.name] ?? 0;
  if (startup !== undefined && probeBudget(startup) < needed)
    out.push(`${where}: startupProbe allows ${probeBudget(startup)} s, less than ${needed} s`);

  const environment = environmentOf(pod, container, objects).values;
  const delay = Number(environment.get('SHUTDOWN_DELAY_MS') ?? 0) / 1000;
  const sleep = preStopSeconds(container);
  const grace = pod.spec.terminationGracePeriodSeconds ?? 30;
  if (sleep === 0 && delay === 0)
    out.push(
      `${where}: neither a preStop sleep nor SHUTDOWN_DELAY_MS keeps it serving while endpoints drop it`,
    );
  if (grace <= sleep + delay + DRAIN_SECONDS)
    out.push(
      `${pod.name}: terminationGracePeriodSeconds ${grace} does not exceed preStop ${sleep} s + SHUTDOWN_DELAY_MS ${delay} s + drain ${DRAIN_SECONDS} s`,
    );

  for (const portName of REQUIRED_PORTS[container.name] ?? [])
    if (!(container.ports ?? []).some((port) => port.name === portName))
      out.push(`${where}: no container port named ${portName}`);
  for (const [variable, portName] of Object.entries(PORT_VARIABLES)) {
    const port = (container.ports ?? []).find((candidate) => candidate.name === portName);
    const value = environment.get(variable);
    if (port !== undefined && value !== String(port.containerPort))
      out.push(`${where}: port ${portName} is ${port.containerPort} but ${variable} is ${value}`);
    if (port === undefined && value !== undefined)
      out.push(`${where}: ${variable} is ${value} but no container port is named ${portName}`);
  }

  const spread = pod.spec.topologySpreadConstraints ?? [];
  for (const key of ['kubernetes.io/hostname', 'topology.kubernetes.io/zone'])
    if (!spread.some((c) => c.topologyKey === key && selects(c.labelSelector, pod.labels)))
      out.push(`${pod.name}: no topology spread over ${key} that selects its pods`);

  const budgets = objects.filter(
    (object): object is PodDisruptionBudget =>
      object.kind === 'PodDisruptionBudget' &&
      object.metadata?.namespace === namespace &&
      selects(object.spec?.selector, pod.labels),
  );
  if (budgets.length !== 1) out.push(`${pod.name}: ${budgets.length} PodDisruptionBudgets, not 1`);
  else if (budgets[0]?.spec?.maxUnavailable !== 1)
    out.push(`${pod.name}: its PodDisruptionBudget's maxUnavailable is not 1`);
  return out;
}

export function workloadViolations(
  objects: readonly KubeObject[],
  documented: Documented,
): string[] {
  return podTemplates(objects).flatMap((pod) => {
    const out: string[] = [];
    if (!selects(pod.workload.spec?.selector, pod.labels))
      out.push(`${pod.name}: its selector does not select its own pods`);
    if (pod.spec.automountServiceAccountToken !== false)
      out.push(`${pod.name}: automountServiceAccountToken is not false`);
    for (const container of allContainers(pod.spec)) {
      const isInit = (pod.spec.initContainers ?? []).includes(container);
      out.push(...containerViolations(pod, container, isInit));
      out.push(...environmentViolations(pod, container, objects, documented));
      if (!isInit && documented.variables.has(container.name))
        out.push(...serviceViolations(pod, container, objects));
    }
    return out;
  });
}
