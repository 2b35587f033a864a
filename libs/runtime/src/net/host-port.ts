/** `host:port`, with an IPv6 host in brackets (`[::1]:9090`), as gRPC targets and URLs write it. */
export function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** True for the addresses that bind every interface (0.0.0.0, ::): not an address anyone can dial. */
export function isWildcardAddress(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '0:0:0:0:0:0:0:0';
}
