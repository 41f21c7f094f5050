import type { Documented } from './documented';
import { environmentOf } from './environment';
import { connectivityViolations } from './network-policy';
import { type KubeObject, nameOf } from './objects';
import { findPort, mapSelector, type PodTemplate, podTemplates, selectedPods } from './selectors';
import { workloadViolations } from './workload-policy';

/** The in-cluster URLs the resource service is given, and the auth port each must land on. */
const AUTH_URLS = { JWKS_URL: 'http', REVOCATION_FEED_URL: 'internal' };

/**
 * The port a `http://<service>:<port>/…` URL lands on, on every pod the
 * Service selects; undefined when no Service of that name has that port.
 */
function landsOn(
  objects: readonly KubeObject[],
  pods: PodTemplate[],
  namespace: string | undefined,
  url: URL,
) {
  const name = url.hostname.split('.')[0];
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  const service = objects.find(
    (object) =>
      object.kind === 'Service' &&
      object.metadata?.namespace === namespace &&
      object.metadata?.name === name,
  );
  if (service?.kind !== 'Service') return undefined;
  const servicePort = (service.spec?.ports ?? []).find((candidate) => candidate.port === port);
  if (servicePort === undefined) return undefined;
  return selectedPods(pods, namespace, mapSelector(service.spec?.selector)).map((pod) => ({
    pod,
    port: findPort(pod.spec, servicePort.targetPort ?? servicePort.port),
  }));
}

/** The two services agree: one issuer, and the resource service's URLs reach auth's right ports. */
function configurationViolations(objects: readonly KubeObject[]): string[] {
  const out: string[] = [];
  const pods = podTemplates(objects);
  const issuers = new Map<string, string>();
  for (const pod of pods)
    for (const container of pod.spec.containers) {
      const values = environmentOf(pod, container, objects).values;
      const issuer = values.get('JWT_ISSUER');
      if (issuer !== undefined) issuers.set(`${pod.name} container ${container.name}`, issuer);
      if (container.name !== 'resource') continue;
      for (const [variable, portName] of Object.entries(AUTH_URLS)) {
        const value = values.get(variable);
        if (value === undefined) {
          out.push(`${pod.name}: ${variable} is not set`);
          continue;
        }
        const landings = landsOn(objects, pods, pod.namespace, new URL(value));
        const right =
          landings !== undefined &&
          landings.length > 0 &&
          landings.every(
            ({ pod: target, port }) =>
              target.spec.containers.some((c) => c.name === 'auth') && port?.name === portName,
          );
        if (!right)
          out.push(
            `${pod.name}: ${variable} ${value} does not reach the auth pods' ${portName} port`,
          );
      }
    }
  if (new Set(issuers.values()).size > 1)
    out.push(`JWT_ISSUER differs: ${JSON.stringify(Object.fromEntries(issuers))}`);
  return out;
}

/**
 * Every way the objects break this deployment's rules, one message each;
 * empty when they hold. The objects must have passed toKubeObject().
 */
export function policyViolations(objects: readonly KubeObject[], documented: Documented): string[] {
  const secrets = objects
    .filter((object) => (object.kind as string) === 'Secret')
    .map((object) => `${nameOf(object)}: a Secret in the manifests commits its values`);
  return [
    ...secrets,
    ...workloadViolations(objects, documented),
    ...connectivityViolations(objects),
    ...configurationViolations(objects),
  ];
}
