// The admin token, kept for this browser tab's session only (sessionStorage):
// asked once, sent as `Authorization: Bearer <token>` on every API call, and
// asked for again when the gateway answers 401.

const KEY = 'downstream-alerting.admin-token';

export function adminToken(): string | undefined {
  return sessionStorage.getItem(KEY) ?? undefined;
}

export function setAdminToken(token: string): void {
  sessionStorage.setItem(KEY, token);
}

export function forgetAdminToken(): void {
  sessionStorage.removeItem(KEY);
}
