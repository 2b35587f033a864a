import { InvalidArgumentError } from '@app/runtime';

/** Cluster ids as Kubernetes names them: DNS-label-like, or a UUID (the kube-system namespace UID). */
const CLUSTER_ID = /^[A-Za-z0-9]([A-Za-z0-9._-]{0,126}[A-Za-z0-9])?$/;

/** Throws InvalidArgumentError naming `field` unless `id` is a well-formed cluster id. */
export function assertClusterId(id: string, field: string): void {
  if (!CLUSTER_ID.test(id)) {
    throw new InvalidArgumentError(
      field,
      `${JSON.stringify(id.slice(0, 64))} is not a cluster id (1 to 128 letters, digits, ".", "_" or "-", starting and ending with a letter or digit)`,
    );
  }
}
