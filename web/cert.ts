/**
 * A self-signed P-256 certificate for local runs, made with the openssl CLI. Written only when
 * absent, so every web node can be given a copy of the same pair (the seed's "bridge" HTTPS).
 * `basicConstraints=critical,CA:FALSE` matters: without it Deno's own fetch rejects the cert.
 */

export interface CertOptions {
  hostnames?: string[];
  days?: number;
  /** The openssl binary; default "openssl" on PATH. */
  openssl?: string;
}

export interface CertPaths {
  certFile: string;
  keyFile: string;
  /** True when this call made the pair, false when it was already there. */
  created: boolean;
}

const DEFAULT_HOSTNAMES = ["localhost", "127.0.0.1", "::1"];

/** `DNS:localhost,IP:127.0.0.1,IP:::1` for the subjectAltName extension. */
export function subjectAltName(hostnames: string[]): string {
  if (hostnames.length === 0) {
    throw new RangeError("Cannot make a certificate: no hostnames");
  }
  return hostnames.map((name) => {
    if (!/^[A-Za-z0-9.:*-]+$/.test(name)) {
      throw new TypeError(`Cannot make a certificate: "${name}" is not a hostname or IP`);
    }
    const isIp = /^\d{1,3}(\.\d{1,3}){3}$/.test(name) || name.includes(":");
    return `${isIp ? "IP" : "DNS"}:${name}`;
  }).join(",");
}

export async function ensureSelfSignedCert(
  dir: string,
  options: CertOptions = {},
): Promise<CertPaths> {
  const certFile = `${dir.replace(/\/+$/, "")}/cert.pem`;
  const keyFile = `${dir.replace(/\/+$/, "")}/key.pem`;
  const [hasCert, hasKey] = await Promise.all([exists(certFile), exists(keyFile)]);
  if (hasCert && hasKey) return { certFile, keyFile, created: false };
  if (hasCert !== hasKey) {
    throw new Error(
      `Cannot make a certificate in ${dir}: only one of cert.pem and key.pem exists; ` +
        `remove it or supply the other`,
    );
  }
  await Deno.mkdir(dir, { recursive: true });
  const san = subjectAltName(options.hostnames ?? DEFAULT_HOSTNAMES);
  const tmpKey = `${keyFile}.${crypto.randomUUID()}.tmp`;
  const tmpCert = `${certFile}.${crypto.randomUUID()}.tmp`;
  // deno-fmt-ignore
  const args = [
    "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
    "-days", String(options.days ?? 825), "-subj", "/CN=fleetmon-local",
    "-addext", `subjectAltName=${san}`,
    "-addext", "basicConstraints=critical,CA:FALSE",
    "-addext", "keyUsage=critical,digitalSignature",
    "-addext", "extendedKeyUsage=serverAuth",
    "-keyout", tmpKey, "-out", tmpCert,
  ];
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command(options.openssl ?? "openssl", { args, stdin: "null" }).output();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new Error(
        "Cannot make a certificate: openssl is not installed (on Debian: apt-get install openssl)",
        { cause: error },
      );
    }
    throw error;
  }
  try {
    if (!output.success) {
      const stderr = new TextDecoder().decode(output.stderr).trim().split("\n").slice(-3);
      throw new Error(`Cannot make a certificate: openssl failed: ${stderr.join(" ")}`);
    }
    await Deno.chmod(tmpKey, 0o600);
    // Renames are atomic: another process never sees a half-written pair.
    await Deno.rename(tmpKey, keyFile);
    await Deno.rename(tmpCert, certFile);
  } finally {
    await Deno.remove(tmpKey).catch(() => {});
    await Deno.remove(tmpCert).catch(() => {});
  }
  return { certFile, keyFile, created: true };
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}
