/**
 * Where bootstrap tokens (which let a new agent register its cluster) will be
 * listed, created and revoked. The gateway has no token API yet: it arrives
 * with the security issue, and this view with it.
 */
export function BootstrapTokensView() {
  return (
    <section aria-labelledby="bootstrap-tokens-title">
      <h2 id="bootstrap-tokens-title">Bootstrap tokens</h2>
      <p>
        Not available yet. Bootstrap tokens will let new agents register their cluster with this gateway; managing them
        here arrives together with agent authentication. Until then an agent is known by the cluster id it declares (
        <code>AGENT_CLUSTER_ID</code>).
      </p>
    </section>
  );
}
