import type { ConfigMap } from 'kubernetes-models/v1';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { Documented } from './documented';
import type { KubeObject } from './objects';
import type { PodTemplate } from './selectors';

/** A container's environment as the kubelet would build it, where the manifests can tell. */
export interface Environment {
  /** Plain values, from `env[].value` and the ConfigMaps of `envFrom`. */
  values: Map<string, string>;
  /** Every variable name set, whatever its source. */
  names: Set<string>;
}

function configMap(
  objects: readonly KubeObject[],
  namespace: string | undefined,
  name: string,
): ConfigMap | undefined {
  return objects.find(
    (object): object is ConfigMap =>
      object.kind === 'ConfigMap' &&
      object.metadata?.namespace === namespace &&
      object.metadata?.name === name,
  );
}

export function environmentOf(
  pod: PodTemplate,
  container: IContainer,
  objects: readonly KubeObject[],
): Environment {
  const values = new Map<string, string>();
  const names = new Set<string>();
  for (const source of container.envFrom ?? []) {
    const name = source.configMapRef?.name;
    const data = name === undefined ? undefined : configMap(objects, pod.namespace, name)?.data;
    for (const [key, value] of Object.entries(data ?? {})) {
      values.set(`${source.prefix ?? ''}${key}`, value);
      names.add(`${source.prefix ?? ''}${key}`);
    }
  }
  for (const variable of container.env ?? []) {
    names.add(variable.name);
    if (variable.value !== undefined) values.set(variable.name, variable.value);
    else values.delete(variable.name);
  }
  return { values, names };
}

/**
 * Where a container's environment comes from: ConfigMaps that exist,
 * Secrets and keys that docs/kubernetes.md documents, no secret as a plain
 * value, and (for a service) only variables the service reads.
 */
export function environmentViolations(
  pod: PodTemplate,
  container: IContainer,
  objects: readonly KubeObject[],
  documented: Documented,
): string[] {
  const where = `${pod.name} container ${container.name}`;
  const out: string[] = [];
  const secretKeys = new Set([...documented.secrets.values()].flatMap((keys) => [...keys]));
  for (const source of container.envFrom ?? []) {
    if (source.secretRef !== undefined)
      out.push(`${where}: envFrom secretRef ${source.secretRef.name}: use secretKeyRef per key`);
    const name = source.configMapRef?.name;
    if (name !== undefined && configMap(objects, pod.namespace, name) === undefined)
      out.push(`${where}: envFrom names ConfigMap ${name}, which is not in the manifests`);
  }
  for (const variable of container.env ?? []) {
    const secret = variable.valueFrom?.secretKeyRef;
    if (secret !== undefined) {
      if (documented.secrets.get(secret.name ?? '')?.has(secret.key) !== true)
        out.push(
          `${where}: ${variable.name} reads key ${secret.key} of Secret ${secret.name}, which docs/kubernetes.md does not list`,
        );
      if (secret.key !== variable.name)
        out.push(
          `${where}: ${variable.name} reads key ${secret.key}: name the key after the variable`,
        );
    }
    const ref = variable.valueFrom?.configMapKeyRef;
    if (
      ref !== undefined &&
      configMap(objects, pod.namespace, ref.name ?? '')?.data?.[ref.key] === undefined
    )
      out.push(
        `${where}: ${variable.name} reads key ${ref.key} of ConfigMap ${ref.name}, which has none`,
      );
  }
  const environment = environmentOf(pod, container, objects);
  for (const name of environment.values.keys())
    if (secretKeys.has(name))
      out.push(`${where}: ${name} is a secret, set here as a plain value; read it from its Secret`);
  const reads = documented.variables.get(container.name);
  if (reads !== undefined)
    for (const name of environment.names)
      if (!reads.has(name))
        out.push(
          `${where}: ${name} is not a variable the ${container.name} service reads (README)`,
        );
  return out;
}
