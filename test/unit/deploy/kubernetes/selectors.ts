import type { IIoK8sApimachineryPkgApisMetaV1LabelSelector as LabelSelector } from '@kubernetes-models/apimachinery/apis/meta/v1/LabelSelector';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IContainerPort } from 'kubernetes-models/v1/ContainerPort';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import { type KubeObject, nameOf, type Workload } from './objects';

export type { LabelSelector };

type Labels = Readonly<Record<string, string>>;

/**
 * Whether `selector` selects `labels`, as the API server decides it: every
 * matchLabels pair and every matchExpressions requirement holds. An empty
 * selector selects everything; an absent one (a Service without a
 * selector) nothing.
 */
export function selects(selector: LabelSelector | undefined, labels: Labels = {}): boolean {
  if (selector === undefined) return false;
  const pairs = Object.entries(selector.matchLabels ?? {});
  if (!pairs.every(([key, value]) => labels[key] === value)) return false;
  return (selector.matchExpressions ?? []).every(({ key, operator, values = [] }) => {
    const value = labels[key];
    switch (operator) {
      case 'In':
        return value !== undefined && values.includes(value);
      case 'NotIn':
        return value === undefined || !values.includes(value);
      case 'Exists':
        return value !== undefined;
      case 'DoesNotExist':
        return value === undefined;
      default:
        return false;
    }
  });
}

/** A Service's `selector` (a plain map) as a label selector. */
export const mapSelector = (selector: Labels | undefined): LabelSelector | undefined =>
  selector === undefined ? undefined : { matchLabels: { ...selector } };

/** The pods a workload makes, as a selector sees them. */
export interface PodTemplate {
  workload: Workload;
  name: string;
  namespace: string | undefined;
  labels: Labels;
  spec: IPodSpec;
}

export function isWorkload(object: KubeObject): object is Workload {
  return object.kind === 'Deployment' || object.kind === 'StatefulSet';
}

export function podTemplates(objects: readonly KubeObject[]): PodTemplate[] {
  return objects.filter(isWorkload).map((workload) => ({
    workload,
    name: nameOf(workload),
    namespace: workload.metadata?.namespace,
    labels: workload.spec?.template.metadata?.labels ?? {},
    spec: workload.spec?.template.spec ?? { containers: [] },
  }));
}

/** The pod templates in `namespace` that `selector` selects. */
export function selectedPods(
  pods: readonly PodTemplate[],
  namespace: string | undefined,
  selector: LabelSelector | undefined,
): PodTemplate[] {
  return pods.filter((pod) => pod.namespace === namespace && selects(selector, pod.labels));
}

export function allContainers(spec: IPodSpec): IContainer[] {
  return [...(spec.initContainers ?? []), ...spec.containers];
}

/** The container port a Service, probe or policy names, by name or by number. */
export function findPort(
  spec: IPodSpec,
  port: number | string,
): (IContainerPort & { container: string }) | undefined {
  for (const container of spec.containers)
    for (const candidate of container.ports ?? [])
      if (typeof port === 'number' ? candidate.containerPort === port : candidate.name === port)
        return { ...candidate, container: container.name };
  return undefined;
}
