/** Injection token of the gateway's TlsIdentity (loaded before the servers start). */
export const TLS_IDENTITY = Symbol('TlsIdentity');
/** Injection token of the admin bearer token's value. */
export const ADMIN_TOKEN = Symbol('AdminToken');
