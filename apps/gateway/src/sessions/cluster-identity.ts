import { Injectable } from '@nestjs/common';
import type { Metadata } from '@grpc/grpc-js';
import type { session } from '@app/proto';
import { InvalidArgumentError } from '@app/runtime';

/** Cluster ids as Kubernetes names them: DNS-label-like, or a UUID. */
const CLUSTER_ID = /^[A-Za-z0-9]([A-Za-z0-9._-]{0,126}[A-Za-z0-9])?$/;

/**
 * The one place that decides which cluster a session speaks for. For now the
 * agent declares it in its Hello and this checks it is a well-formed id; the
 * security work replaces this with the identity the agent authenticated as
 * (and then the declared id must match it). Nothing else trusts a cluster id
 * from the agent: ingest stamps this one on every notification.
 */
@Injectable()
export class ClusterIdentity {
  identify(hello: session.Hello, _metadata: Metadata): string {
    const declared = hello.clusterId;
    if (!CLUSTER_ID.test(declared)) {
      throw new InvalidArgumentError(
        'hello.clusterId',
        `${JSON.stringify(declared.slice(0, 64))} is not a cluster id (1 to 128 letters, digits, ".", "_" or "-", starting and ending with a letter or digit)`,
      );
    }
    return declared;
  }
}
