import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadDocumented } from './kubernetes/documented';
import {
  DEPLOY,
  type KubeObject,
  loadRendered,
  overlayNames,
  parseDocuments,
  renderedNames,
  toKubeObject,
} from './kubernetes/objects';
import { policyViolations } from './kubernetes/policy';

// The committed renderings (deploy/kubernetes/rendered/<overlay>.yaml) are
// what an operator applies. Each object must pass its kind's Kubernetes
// OpenAPI schema, then the deployment's own rules (policy.ts). The rules
// are shown to bite: each broken copy below trips the rule it breaks.

const documented = loadDocumented();

describe('the rendered Kubernetes manifests', () => {
  it('exist for every overlay, and only for overlays', () => {
    expect(renderedNames()).toEqual(overlayNames());
  });

  describe.each(overlayNames())('of the %s overlay', (overlay) => {
    it('pass the Kubernetes OpenAPI schema of their kinds', () => {
      expect(loadRendered(overlay).length).toBeGreaterThan(0);
    });

    it('break none of the deployment rules', () => {
      expect(policyViolations(loadRendered(overlay), documented)).toEqual([]);
    });
  });

  it("read exactly the Secret keys the local overlay's script creates", () => {
    const script = readFileSync(join(DEPLOY, 'overlays/local/create-secrets.sh'), 'utf8');
    const created = script
      .replace(/\\\n/g, ' ')
      .split('\n')
      .flatMap((line) => {
        const name = /^create (\S+)/.exec(line)?.[1];
        const keys = [...line.matchAll(/--from-literal=([A-Z_]+)=/g)].map((m) => m[1]);
        return name === undefined ? [] : keys.map((key) => `${name}/${key}`);
      });
    const read = loadRendered('local').flatMap((object) =>
      object.kind === 'Deployment' || object.kind === 'StatefulSet'
        ? (object.spec?.template.spec?.containers ?? []).flatMap((container) =>
            (container.env ?? []).flatMap(({ valueFrom }) =>
              valueFrom?.secretKeyRef === undefined
                ? []
                : [`${valueFrom.secretKeyRef.name}/${valueFrom.secretKeyRef.key}`],
            ),
          )
        : [],
    );
    expect([...new Set(created)].sort()).toEqual([...new Set(read)].sort());
  });

  it('hold both services, a PDB each, an autoscaler each in production and a ServiceMonitor where asked', () => {
    const kinds = (overlay: string) =>
      loadRendered(overlay).map((object) => `${object.kind} ${object.metadata?.name}`);
    expect(kinds('local')).toEqual(
      expect.arrayContaining([
        'Deployment authpair-auth',
        'Deployment authpair-resource',
        'StatefulSet authpair-postgres',
        'PodDisruptionBudget authpair-auth',
        'PodDisruptionBudget authpair-resource',
      ]),
    );
    expect(kinds('production')).toEqual(
      expect.arrayContaining([
        'HorizontalPodAutoscaler authpair-auth',
        'HorizontalPodAutoscaler authpair-resource',
      ]),
    );
    expect(kinds('production')).not.toContain('StatefulSet authpair-postgres');
    expect(kinds('production-prometheus')).toContain('ServiceMonitor authpair');
  });
});

describe('schema validation', () => {
  const deployment = () =>
    loadRendered('local')
      .find((object) => object.kind === 'Deployment')
      ?.toJSON();

  it('refuses a kind it does not know, rather than skipping it', () => {
    const [pod] = parseDocuments('apiVersion: v1\nkind: Pod\nmetadata: {name: stray}\n');
    expect(() => toKubeObject(pod)).toThrow('Pod stray: unknown kind v1/Pod');
  });

  it('refuses a Secret, whose values would be committed', () => {
    const [secret] = parseDocuments(
      'apiVersion: v1\nkind: Secret\nmetadata: {name: leak}\nstringData: {PASSWORD_PEPPER: x}\n',
    );
    expect(() => toKubeObject(secret)).toThrow('unknown kind v1/Secret');
  });

  it('refuses a field of the wrong type', () => {
    const broken = { ...deployment(), spec: { ...deployment().spec, replicas: '2' } };
    expect(() => toKubeObject(broken)).toThrow('/spec/replicas must be integer');
  });

  it('refuses a missing required field', () => {
    const { selector: _, ...spec } = deployment().spec;
    expect(() => toKubeObject({ ...deployment(), spec })).toThrow(
      'data/spec must have required property selector',
    );
  });
});

// biome-ignore lint/suspicious/noExplicitAny: the tests break arbitrary fields of plain JSON
type Json = Record<string, any>;

/** A deep copy of the local rendering, changed by `change`, then validated again. */
function broken(change: (objects: Json[]) => void): KubeObject[] {
  const objects = loadRendered('local').map((object) => structuredClone(object.toJSON()));
  change(objects);
  return objects.map(toKubeObject);
}

const find = (objects: Json[], kind: string, name: string) => {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (found === undefined) throw new Error(`no ${kind} ${name}`);
  return found;
};
const auth = (objects: Json[]) => find(objects, 'Deployment', 'authpair-auth');
const authContainer = (objects: Json[]) => auth(objects).spec.template.spec.containers[0];

describe('the deployment rules', () => {
  it.each<[string, (objects: Json[]) => void, string]>([
    [
      'a container without a readiness probe',
      (o) => delete authContainer(o).readinessProbe,
      'container auth: no readinessProbe',
    ],
    [
      'a liveness probe that checks the database',
      (o) => (authContainer(o).livenessProbe.httpGet.path = '/readyz'),
      'livenessProbe is not GET /healthz',
    ],
    [
      'a startup budget shorter than a migration may take',
      (o) => (authContainer(o).startupProbe.failureThreshold = 10),
      'startupProbe allows 50 s, less than 270 s',
    ],
    [
      'a container without limits',
      (o) => delete authContainer(o).resources.limits,
      'no memory in resources.limits',
    ],
    [
      'a writable root filesystem',
      (o) => (authContainer(o).securityContext.readOnlyRootFilesystem = false),
      'readOnlyRootFilesystem is not true',
    ],
    [
      'a container running as root',
      (o) => {
        authContainer(o).securityContext.runAsUser = 0;
      },
      'no fixed non-root runAsUser',
    ],
    [
      'capabilities kept',
      (o) => (authContainer(o).securityContext.capabilities.drop = []),
      'capabilities do not drop ALL',
    ],
    [
      'a mounted service-account token',
      (o) => (auth(o).spec.template.spec.automountServiceAccountToken = true),
      'automountServiceAccountToken is not false',
    ],
    [
      'a grace period no longer than preStop and the drain',
      (o) => (auth(o).spec.template.spec.terminationGracePeriodSeconds = 20),
      'terminationGracePeriodSeconds 20 does not exceed preStop 10 s + SHUTDOWN_DELAY_MS 0 s + drain 10 s',
    ],
    [
      'no preStop sleep and no shutdown delay',
      (o) => delete authContainer(o).lifecycle,
      'neither a preStop sleep nor SHUTDOWN_DELAY_MS',
    ],
    ['a single replica', (o) => (auth(o).spec.replicas = 1), 'fewer than 2 replicas'],
    [
      'a rollout that may take a pod down first',
      (o) => (auth(o).spec.strategy.rollingUpdate.maxUnavailable = 1),
      'not a RollingUpdate with maxUnavailable 0',
    ],
    [
      'no spread over zones',
      (o) => auth(o).spec.template.spec.topologySpreadConstraints.pop(),
      'no topology spread over topology.kubernetes.io/zone',
    ],
    [
      'no PodDisruptionBudget',
      (o) => o.splice(o.indexOf(find(o, 'PodDisruptionBudget', 'authpair-auth')), 1),
      '0 PodDisruptionBudgets, not 1',
    ],
    [
      'a Service selecting no pods',
      (o) => (find(o, 'Service', 'authpair-auth').spec.selector['app.kubernetes.io/name'] = 'auht'),
      'Service authpair-auth: its selector selects no pods',
    ],
    [
      'a targetPort no container declares',
      (o) => (find(o, 'Service', 'authpair-auth-internal').spec.ports[0].targetPort = 'internl'),
      'targetPort internl is not a port of',
    ],
    [
      'a Deployment whose selector misses its own pods',
      (o) => (auth(o).spec.selector.matchLabels['app.kubernetes.io/name'] = 'other'),
      'its selector does not select its own pods',
    ],
    [
      'a secretKeyRef to a key the docs do not list',
      (o) => (authContainer(o).env[1].valueFrom.secretKeyRef.key = 'PASSWORD_PEPER'),
      'reads key PASSWORD_PEPER of Secret authpair-auth-secrets, which docs/kubernetes.md does not list',
    ],
    [
      'a secret set as a plain value',
      (o) => authContainer(o).env.push({ name: 'PASSWORD_PEPPER', value: 'local-only-pepper' }),
      'PASSWORD_PEPPER is a secret, set here as a plain value',
    ],
    [
      'a variable the service does not read',
      (o) =>
        (find(
          o,
          'ConfigMap',
          auth(o).spec.template.spec.containers[0].envFrom[0].configMapRef.name,
        ).data.JWKS_URL = 'x'),
      'JWKS_URL is not a variable the auth service reads',
    ],
    [
      'METRICS_PORT off the declared metrics port',
      (o) =>
        (find(o, 'ConfigMap', authContainer(o).envFrom[0].configMapRef.name).data.METRICS_PORT =
          '9100'),
      'port metrics is 9464 but METRICS_PORT is 9100',
    ],
    [
      '/metrics left on the public port',
      (o) => {
        const container = find(o, 'Deployment', 'authpair-resource').spec.template.spec
          .containers[0];
        container.ports = container.ports.filter((port: Json) => port.name !== 'metrics');
        delete find(o, 'ConfigMap', container.envFrom[0].configMapRef.name).data.METRICS_PORT;
      },
      'container resource: no container port named metrics',
    ],
    [
      'the revocation feed read from the public port',
      (o) => {
        const resource = find(o, 'Deployment', 'authpair-resource').spec.template.spec
          .containers[0];
        find(o, 'ConfigMap', resource.envFrom[0].configMapRef.name).data.REVOCATION_FEED_URL =
          'http://authpair-auth:4000/internal/revocations';
      },
      "REVOCATION_FEED_URL http://authpair-auth:4000/internal/revocations does not reach the auth pods' internal port",
    ],
    [
      'two issuers',
      (o) =>
        (find(o, 'ConfigMap', authContainer(o).envFrom[0].configMapRef.name).data.JWT_ISSUER =
          'https://a.example'),
      'JWT_ISSUER differs',
    ],
    [
      '/metrics open to every pod',
      (o) =>
        find(o, 'NetworkPolicy', 'authpair-auth').spec.ingress.push({
          ports: [{ port: 'metrics' }],
        }),
      'NetworkPolicy authpair-auth opens port metrics to more than the monitoring namespace',
    ],
    [
      'the revocation feed open to another namespace',
      (o) =>
        find(o, 'NetworkPolicy', 'authpair-auth').spec.ingress.push({
          from: [{ namespaceSelector: {} }],
          ports: [{ port: 4010 }],
        }),
      'opens port internal to more than resource pods',
    ],
    [
      'a public rule with no port list, which opens the feed too',
      (o) => delete find(o, 'NetworkPolicy', 'authpair-public').spec.ingress[0].ports,
      'NetworkPolicy authpair-public opens port internal to more than resource pods',
    ],
    [
      'auth egress to the internet',
      (o) =>
        find(o, 'NetworkPolicy', 'authpair-auth-database').spec.egress.push({
          to: [{ ipBlock: { cidr: '0.0.0.0/0' } }],
          ports: [{ port: 443 }],
        }),
      'lets auth reach 443/TCP',
    ],
    [
      'no default deny',
      (o) => o.splice(o.indexOf(find(o, 'NetworkPolicy', 'authpair-default-deny')), 1),
      'has no default-deny NetworkPolicy',
    ],
    [
      'an untagged image',
      (o) => (authContainer(o).image = 'authpair/auth'),
      'image authpair/auth has no tag or digest',
    ],
  ])('catch %s', (_, change, message) => {
    const violations = policyViolations(broken(change), documented);
    expect(violations).toEqual(expect.arrayContaining([expect.stringContaining(message)]));
  });
});
