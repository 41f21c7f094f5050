import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import { Deployment, StatefulSet } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Namespace, Service, ServiceAccount } from 'kubernetes-models/v1';
import { parseAllDocuments } from 'yaml';

// The rendered manifests as typed Kubernetes objects: each document is
// checked against the Kubernetes OpenAPI schema of its kind (offline, by
// kubernetes-models, which carries the 1.27 schemas) before anything reads
// it as that kind. Kinds not listed here fail: a manifest of a kind nobody
// validates would be applied unchecked.

export const ROOT = join(__dirname, '../../../..');
export const DEPLOY = join(ROOT, 'deploy/kubernetes');
export const RENDERED = join(DEPLOY, 'rendered');
export const OVERLAYS = join(DEPLOY, 'overlays');

/** Every kind the deployment ships, by `apiVersion/kind`. A Secret is not one: no values are shipped. */
const MODELS = {
  'v1/Namespace': Namespace,
  'v1/ServiceAccount': ServiceAccount,
  'v1/ConfigMap': ConfigMap,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'apps/v1/StatefulSet': StatefulSet,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'monitoring.coreos.com/v1/ServiceMonitor': ServiceMonitor,
} as const;

type Models = typeof MODELS;
/** One rendered object, typed by its kind. */
export type KubeObject = InstanceType<Models[keyof Models]>;
export type Workload = Deployment | StatefulSet;

/** Names a document in messages: `Deployment authpair/authpair-auth`. */
export function nameOf(doc: {
  kind?: unknown;
  metadata?: { name?: unknown; namespace?: unknown } | undefined;
}): string {
  const namespace = typeof doc.metadata?.namespace === 'string' ? `${doc.metadata.namespace}/` : '';
  return `${String(doc.kind)} ${namespace}${String(doc.metadata?.name)}`;
}

/** The YAML documents of a file (empty ones dropped); a YAML error throws. */
export function parseDocuments(text: string): unknown[] {
  return parseAllDocuments(text).flatMap((document) => {
    if (document.errors.length > 0) throw document.errors[0];
    const value: unknown = document.toJS();
    return value === null || value === undefined ? [] : [value];
  });
}

/**
 * The document as an object of its kind, once its schema holds; throws for
 * an unknown kind or a schema violation, naming the object.
 */
export function toKubeObject(doc: unknown): KubeObject {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    throw new Error(`not a Kubernetes object: ${JSON.stringify(doc)}`);
  const { apiVersion, kind } = doc as { apiVersion?: unknown; kind?: unknown };
  const key = `${String(apiVersion)}/${String(kind)}`;
  if (!Object.hasOwn(MODELS, key))
    throw new Error(`${nameOf(doc)}: unknown kind ${key}; nothing validates it`);
  const Model = MODELS[key as keyof Models];
  const object = new Model(doc as never);
  try {
    object.validate();
  } catch (error) {
    throw new Error(`${nameOf(doc)}: ${(error as Error).message}`);
  }
  return object;
}

/** The committed rendering of one overlay, every object validated. */
export function loadRendered(overlay: string): KubeObject[] {
  return parseDocuments(readFileSync(join(RENDERED, `${overlay}.yaml`), 'utf8')).map(toKubeObject);
}

/** The overlays (each a directory under deploy/kubernetes/overlays). */
export function overlayNames(): string[] {
  return readdirSync(OVERLAYS, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

/** The committed renderings (each rendered/<overlay>.yaml). */
export function renderedNames(): string[] {
  return readdirSync(RENDERED)
    .filter((name) => name.endsWith('.yaml'))
    .map((name) => name.slice(0, -'.yaml'.length))
    .sort();
}
