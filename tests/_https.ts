/** HTTPS helpers for tests: a client that trusts our self-signed certificate, and logging in. */
export async function httpsClient(certFile: string): Promise<Deno.HttpClient> {
  return Deno.createHttpClient({ caCerts: [await Deno.readTextFile(certFile)] });
}

/** Logs in through the JSON API and returns the session cookie to send back. */
export async function login(
  client: Deno.HttpClient,
  base: string,
  username: string,
  password: string,
): Promise<string> {
  const response = await fetch(`${base}/api/login`, {
    client,
    method: "POST",
    headers: { "content-type": "application/json", origin: base },
    body: JSON.stringify({ username, password }),
  });
  await response.body?.cancel();
  if (response.status !== 200) throw new Error(`Cannot log in: HTTP ${response.status}`);
  const cookie = response.headers.get("set-cookie")?.split(";")[0];
  if (!cookie) throw new Error("Cannot log in: no session cookie");
  return cookie;
}
