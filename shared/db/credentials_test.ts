import assert from "node:assert/strict";
import { ConfigError } from "../errors.ts";
import { mongodbUriWithPassword, withPassword } from "./credentials.ts";

Deno.test("withPassword puts the password, escaped, after the URI's user", () => {
  assert.equal(
    withPassword("mongodb://fleetmon-comm@127.0.0.1:27017/fleetmon", "p@ss/w:rd"),
    "mongodb://fleetmon-comm:p%40ss%2Fw%3Ard@127.0.0.1:27017/fleetmon",
  );
});

Deno.test("withPassword refuses a URI without a user or with a password already", () => {
  assert.throws(() => withPassword("mongodb://127.0.0.1/fleetmon", "x"), /names no user/);
  assert.throws(() => withPassword("mongodb://u:p@127.0.0.1/fleetmon", "x"), /keep only one/);
});

Deno.test("the systemd credential is read from CREDENTIALS_DIRECTORY", () => {
  const dir = Deno.makeTempDirSync();
  try {
    Deno.writeTextFileSync(`${dir}/mongodb-password`, "s3cret\n");
    assert.equal(
      mongodbUriWithPassword("comm", "mongodb://c@h/fleetmon", { CREDENTIALS_DIRECTORY: dir }),
      "mongodb://c:s3cret@h/fleetmon",
    );
    // A credentials directory without our credential leaves the URI alone.
    assert.equal(
      mongodbUriWithPassword("comm", "mongodb://h/db", { CREDENTIALS_DIRECTORY: `${dir}/none` }),
      "mongodb://h/db",
    );
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("an unreadable MONGODB_PASSWORD_FILE is a ConfigError naming the setting", () => {
  assert.throws(
    () =>
      mongodbUriWithPassword("web", "mongodb://w@h/fleetmon", { MONGODB_PASSWORD_FILE: "/nope" }),
    (error) =>
      error instanceof ConfigError &&
      /^MONGODB_PASSWORD_FILE: cannot read \/nope/.test(error.problems[0]),
  );
});
