/** The admin API client: Bearer token from sessionStorage, OpenAI-style errors turned into ApiError. */

const TOKEN_KEY = "ai-router.admin-token";

export function getToken(): string | null {
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}
export function setToken(token: string | null): void {
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
}

/** An error answer of the API (or the network), with the field it names. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code: string | null = null,
    readonly param: string | null = null,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

type Listener = () => void;
const unauthorized = new Set<Listener>();
/** Called when any request answers 401: the app goes back to sign-in. */
export function onUnauthorized(fn: Listener): () => void {
  unauthorized.add(fn);
  return () => unauthorized.delete(fn);
}

export function authHeaders(): Record<string, string> {
  const token = getToken();
  return token ? { authorization: `Bearer ${token}` } : {};
}

async function toApiError(res: Response): Promise<ApiError> {
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    body = undefined;
  }
  const e = (body as { error?: { message?: string; code?: string | null; param?: string | null } } | undefined)?.error;
  return new ApiError(res.status, e?.message ?? `HTTP ${res.status}`, e?.code ?? null, e?.param ?? null);
}

/** One admin request; the query's undefined/empty values are left out. */
export async function api<T>(
  method: string,
  path: string,
  opts: { body?: unknown; query?: Record<string, string | number | undefined | null>; accept?: string } = {},
): Promise<T> {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined && v !== null && v !== "") q.set(k, String(v));
  const url = q.size > 0 ? `${path}?${q}` : path;
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers: {
        ...authHeaders(),
        accept: opts.accept ?? "application/json",
        ...(opts.body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: opts.body === undefined ? null : JSON.stringify(opts.body),
    });
  } catch (err) {
    throw new ApiError(0, (err as Error).message, "network_error");
  }
  if (res.status === 401) {
    const e = await toApiError(res);
    for (const fn of unauthorized) fn();
    throw e;
  }
  if (!res.ok) throw await toApiError(res);
  if (opts.accept === "text/csv") return (await res.text()) as T;
  return (await res.json()) as T;
}
