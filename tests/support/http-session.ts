/** Signs in through next-auth's real credentials flow with plain fetch; returns the cookie header. */
export async function signInCookie(baseURL: string, email: string, password: string): Promise<string> {
  const csrfRes = await fetch(`${baseURL}/api/auth/csrf`);
  const { csrfToken } = (await csrfRes.json()) as { csrfToken: string };
  const jar = new Map<string, string>();
  const keep = (res: Response) => {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const eq = pair.indexOf('=');
      jar.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
  };
  keep(csrfRes);
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const res = await fetch(`${baseURL}/api/auth/callback/credentials`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookie(), origin: baseURL },
    body: new URLSearchParams({ csrfToken, email, password, json: 'true' }),
  });
  keep(res);
  if (![...jar.keys()].some((k) => k.endsWith('session-token'))) throw new Error(`sign-in failed for ${email} (${res.status})`);
  return cookie();
}

/**
 * One JSON API call as a signed-in user, the way the app's own pages call it: the session cookie, the
 * same-origin header the cross-site check wants, a JSON body (raw bytes are sent as they are, with the
 * caller's headers). Throws with the method, path, status and body when the answer is not 2xx.
 */
export async function fetchJson<T>(
  baseURL: string,
  pathname: string,
  options: { cookie: string; method?: string; body?: unknown; headers?: Record<string, string> },
): Promise<T> {
  const { cookie, method = 'GET', body, headers = {} } = options;
  const raw = body instanceof Uint8Array;
  const res = await fetch(`${baseURL}${pathname}`, {
    method,
    headers: { cookie, origin: baseURL, ...(raw ? {} : { 'content-type': 'application/json' }), ...headers },
    body: (raw ? body : body === undefined ? undefined : JSON.stringify(body)) as BodyInit | undefined,
  });
  const json = await res.json();
  if (!res.ok) throw new Error(`${method} ${pathname}: ${res.status} ${JSON.stringify(json)}`);
  return json as T;
}
