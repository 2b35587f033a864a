import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { CreatedTokenView } from '@app/admin-api';
import { TimeText } from '../time-text.js';
import { CopyButton } from './copy-button.js';
import { JoinWatch } from './join-watch.js';
import { isClusterId, joinCommandFor, labelsText, usagesText } from './token-form.js';

interface Props {
  created: CreatedTokenView;
  /** The person is done with it: it is not shown again. */
  onDismiss(): void;
}

/**
 * A token just created, with its secret: the only time the gateway tells it
 * (it keeps a hash). Shows the join commands: in Kubernetes (the agent's Helm
 * chart), and in a container or outside Kubernetes with the cluster id filled
 * in; copies any, but not with a cluster id that is not one.
 */
export function CreatedToken({ created, onDismiss }: Props) {
  const [clusterId, setClusterId] = useState('');
  const heading = useRef<HTMLHeadingElement>(null);
  // The new token is announced and reached at once: the focus moves to it.
  useLayoutEffect(() => heading.current?.focus(), [created.id]);

  const id = clusterId.trim();
  const badClusterId = id !== '' && !isClusterId(id);
  const refusal = badClusterId ? `"${id}" is not a cluster id; fix it or leave the field empty.` : undefined;
  return (
    <section class="panel created-token" aria-labelledby="created-token-title">
      <h3 id="created-token-title" ref={heading} tabIndex={-1}>
        New bootstrap token {created.id}
      </h3>
      <p class="notice">
        <strong>Copy the token now:</strong> the gateway keeps only a hash of its secret and cannot show it again.
      </p>
      <dl class="facts">
        <dt>Token</dt>
        <dd>
          <code data-testid="created-token">{created.token}</code>
        </dd>
        <dt>Gateway pin</dt>
        <dd>
          <code>{created.pin}</code>
        </dd>
        <dt>Expires</dt>
        <dd>{created.expiresAt === null ? 'never' : <TimeText iso={created.expiresAt} />}</dd>
        <dt>Usages</dt>
        <dd>{usagesText(created)}</dd>
        <dt>Labels</dt>
        <dd>{labelsText(created.labels)}</dd>
      </dl>
      <h4 id="join-command-kubernetes-title">Join command: in Kubernetes</h4>
      <p class="hint">
        Installs the agent&apos;s Helm chart in the cluster&apos;s current kubectl context; the cluster id is its
        kube-system namespace UID.
      </p>
      <JoinCommand
        command={created.joinCommand}
        testId="join-command-kubernetes"
        label="Copy Kubernetes join command"
      />
      <h4 id="join-command-title">Join command: in a container or outside Kubernetes</h4>
      <div class="field">
        <label for="join-cluster-id">Cluster id</label>
        <input
          id="join-cluster-id"
          value={clusterId}
          autoComplete="off"
          spellcheck={false}
          onInput={(event) => setClusterId(event.currentTarget.value)}
          aria-invalid={badClusterId || undefined}
          aria-describedby="join-cluster-id-hint"
        />
        <span id="join-cluster-id-hint" class={badClusterId ? 'error' : 'hint'}>
          {badClusterId
            ? 'Not a cluster id: 1 to 128 letters, digits, ".", "_" or "-", starting and ending with a letter or digit.'
            : 'Filled into the command: the stable id of the cluster the agent speaks for. Left empty, the command uses AGENT_CLUSTER_ID if set, else asks kubectl for the kube-system namespace UID.'}
        </span>
      </div>
      <h5>In a container (Docker, Podman)</h5>
      <p class="hint">The gateway address must be reachable from inside the container.</p>
      <JoinCommand
        command={joinCommandFor(created.containerJoinCommand, clusterId)}
        testId="join-command-container"
        label="Copy container join command"
        refusal={refusal}
      />
      <h5>From a release or source checkout (Node 22)</h5>
      <JoinCommand
        command={joinCommandFor(created.nodeJoinCommand, clusterId)}
        testId="join-command"
        label="Copy join command"
        refusal={refusal}
      />
      {id !== '' && !badClusterId && <JoinWatch key={id} clusterId={id} />}
      <div class="actions">
        <button type="button" class="secondary" onClick={onDismiss}>
          Done: hide the token
        </button>
      </div>
    </section>
  );
}

/** One form of the join command, shown, with its Copy button. */
function JoinCommand(props: { command: string; testId: string; label: string; refusal?: string }) {
  const shown = useRef<HTMLPreElement>(null);
  return (
    <>
      <pre ref={shown} class="command" data-testid={props.testId}>
        {props.command}
      </pre>
      <div class="actions">
        <CopyButton text={props.command} shownIn={shown} label={props.label} refusal={props.refusal} />
      </div>
    </>
  );
}
