import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ServiceAccount } from 'kubernetes-models/v1';
import { ClusterRole, ClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { parseAllDocuments } from 'yaml';
import { repoRoot } from '@app/testing';

// deploy/rbac.yaml: valid Kubernetes objects (checked against the API's
// schemas by kubernetes-models) granting exactly what the event source uses.

describe('deploy/rbac.yaml', () => {
  const documents = parseAllDocuments(readFileSync(join(repoRoot, 'deploy', 'rbac.yaml'), 'utf8')).map(
    (doc) => doc.toJS() as { kind: string },
  );
  const byKind = (kind: string) => documents.filter((d) => d.kind === kind);

  it('holds a ServiceAccount, a ClusterRole and a ClusterRoleBinding that validate against the API schemas', () => {
    expect(documents.map((d) => d.kind)).toEqual(['ServiceAccount', 'ClusterRole', 'ClusterRoleBinding']);
    expect(() => new ServiceAccount(byKind('ServiceAccount')[0] as never).validate()).not.toThrow();
    expect(() => new ClusterRole(byKind('ClusterRole')[0] as never).validate()).not.toThrow();
    expect(() => new ClusterRoleBinding(byKind('ClusterRoleBinding')[0] as never).validate()).not.toThrow();
  });

  it('grants get, list and watch on events in events.k8s.io and core, nothing more, to the service account', () => {
    const role = new ClusterRole(byKind('ClusterRole')[0] as never);
    expect(role.rules).toEqual([
      { apiGroups: ['events.k8s.io'], resources: ['events'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: [''], resources: ['events'], verbs: ['get', 'list', 'watch'] },
    ]);
    const binding = new ClusterRoleBinding(byKind('ClusterRoleBinding')[0] as never);
    const account = new ServiceAccount(byKind('ServiceAccount')[0] as never);
    expect(binding.roleRef).toEqual({
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'ClusterRole',
      name: role.metadata!.name,
    });
    expect(binding.subjects).toEqual([
      { kind: 'ServiceAccount', name: account.metadata!.name, namespace: account.metadata!.namespace },
    ]);
  });

  it('would catch a broken manifest (the validation is not vacuous)', () => {
    const broken = { ...byKind('ClusterRole')[0], rules: [{ apiGroups: [''], resources: 'events', verbs: ['get'] }] };
    expect(() => new ClusterRole(broken as never).validate()).toThrow();
  });
});
