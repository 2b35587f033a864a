/** Injection token of the gateway's TlsIdentity (loaded before the servers start). */
export const TLS_IDENTITY = Symbol('TlsIdentity');
