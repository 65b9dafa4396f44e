import assert from "node:assert/strict";
import { ensureSelfSignedCert, subjectAltName } from "./cert.ts";

Deno.test("subjectAltName names DNS hosts and IP addresses apart", () => {
  assert.equal(
    subjectAltName(["localhost", "127.0.0.1", "::1"]),
    "DNS:localhost,IP:127.0.0.1,IP:::1",
  );
  assert.throws(() => subjectAltName([]), /no hostnames/);
  assert.throws(() => subjectAltName(["a b"]), /"a b" is not a hostname or IP/);
});

Deno.test("ensureSelfSignedCert writes a P-256 pair once, with the key readable only by its owner", async () => {
  const dir = await Deno.makeTempDir({ prefix: "fleetmon-cert-" });
  try {
    const first = await ensureSelfSignedCert(`${dir}/certs`);
    assert.equal(first.created, true);
    const cert = await Deno.readTextFile(first.certFile);
    const key = await Deno.readTextFile(first.keyFile);
    assert.match(cert, /^-----BEGIN CERTIFICATE-----/);
    assert.match(key, /-----BEGIN PRIVATE KEY-----/);
    assert.equal((await Deno.stat(first.keyFile)).mode! & 0o777, 0o600);
    const text = new TextDecoder().decode(
      (await new Deno.Command("openssl", {
        args: ["x509", "-noout", "-text", "-in", first.certFile],
      })
        .output()).stdout,
    );
    assert.match(text, /prime256v1|P-256/);
    assert.match(text, /DNS:localhost, IP Address:127\.0\.0\.1, IP Address:0:0:0:0:0:0:0:1/);
    assert.match(text, /CA:FALSE/);

    const second = await ensureSelfSignedCert(`${dir}/certs`);
    assert.equal(second.created, false);
    assert.equal(await Deno.readTextFile(second.certFile), cert, "an existing pair is kept");
    assert.deepEqual([...Deno.readDirSync(`${dir}/certs`)].map((e) => e.name).sort(), [
      "cert.pem",
      "key.pem",
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("ensureSelfSignedCert refuses a half pair and says when openssl is missing", async () => {
  const dir = await Deno.makeTempDir({ prefix: "fleetmon-cert-" });
  try {
    await Deno.writeTextFile(`${dir}/cert.pem`, "x");
    await assert.rejects(ensureSelfSignedCert(dir), /only one of cert\.pem and key\.pem exists/);
    await assert.rejects(
      ensureSelfSignedCert(`${dir}/other`, { openssl: "/nonexistent/openssl" }),
      /openssl is not installed/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
