/** A kubeconfig (YAML) that reaches `server` over TLS, trusting `caPem`, with a bearer `token`. */
export function kubeconfig(server: string, caPem: string, token: string): string {
  const ca = Buffer.from(caPem).toString('base64');
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: fake',
    '  cluster:',
    `    server: ${server}`,
    `    certificate-authority-data: ${ca}`,
    'users:',
    '- name: agent',
    '  user:',
    `    token: ${token}`,
    'contexts:',
    '- name: fake',
    '  context: {cluster: fake, user: agent}',
    'current-context: fake',
    '',
  ].join('\n');
}
