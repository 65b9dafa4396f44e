/**
 * `deno task user …`: the dashboard's users from the command line, against any MONGODB_URI. For
 * the first admin of a fresh production database, and for getting back in when every admin is
 * locked out. Every change is written to the audit log as
 * actor `cli:<user>@<host>` (cliActor), as `deno task device` does.
 */
import { parseArgs } from "node:util";
import type { Db } from "mongodb";
import { generateSecret, hashPassword } from "@fleetmon/shared/db";
import { ROLES } from "../roles.ts";
import {
  type Actor,
  addUser,
  changeUser,
  listUsers,
  passwordSchema,
  roleSchema,
  usernameSchema,
} from "./users.ts";

export const USAGE = `Usage: deno task user <command> [options]

Commands:
  add <username> [--role ROLE]    add a user (role: viewer, operator, admin; default admin when
                                  the database has no users yet, else viewer)
  set-role <username> <role>      change a user's role (live sessions follow at once)
  disable <username>              refuse the user; their sessions and API tokens stop at once
  enable <username>               accept the user again
  reset-password <username>       set a new password; ends their sessions and lifts a sign-in lock
  list                            list users

Options:
  --password-stdin   read the password (add, reset-password) from the first line of stdin;
                     without it a random password is generated and printed once
  --mongodb-uri URI  the database (default: $MONGODB_URI)
  --json             print JSON instead of text
  -h, --help         this text`;

export interface UserCommand {
  command: "add" | "set-role" | "disable" | "enable" | "reset-password" | "list" | "help";
  username?: string;
  role?: (typeof ROLES)[number];
  passwordStdin: boolean;
  json: boolean;
  mongodbUri?: string;
}

const ARITY: Record<string, number> = {
  add: 1,
  "set-role": 2,
  disable: 1,
  enable: 1,
  "reset-password": 1,
  list: 0,
  help: 0,
};

/** Reads the command line; throws TypeError with the reason for anything it cannot run. */
export function parseUserCommand(args: string[]): UserCommand {
  const { values, positionals } = parseArgs({
    args,
    options: {
      role: { type: "string" },
      "password-stdin": { type: "boolean", default: false },
      json: { type: "boolean", default: false },
      "mongodb-uri": { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
    allowPositionals: true,
  });
  const [command = "help", ...rest] = positionals;
  if (values.help || command === "help") {
    return { command: "help", passwordStdin: false, json: false };
  }
  if (!(command in ARITY)) throw new TypeError(`Unknown command "${command}"`);
  if (rest.length !== ARITY[command]) {
    throw new TypeError(
      `The ${command} command takes ${ARITY[command]} argument(s), got ${rest.length}`,
    );
  }
  const [username, roleArg] = rest;
  if (username !== undefined) {
    const checked = usernameSchema.safeParse(username);
    if (!checked.success) {
      throw new TypeError(`Username "${username}" ${checked.error.issues[0].message}`);
    }
  }
  const roleText = command === "set-role" ? roleArg : values.role;
  if (values.role !== undefined && command !== "add") throw new TypeError("Only add takes --role");
  if (roleText !== undefined && !roleSchema.safeParse(roleText).success) {
    throw new TypeError(`Unknown role "${roleText}": use one of ${ROLES.join(", ")}`);
  }
  return {
    command: command as UserCommand["command"],
    username,
    role: roleText as UserCommand["role"],
    passwordStdin: values["password-stdin"],
    json: values.json,
    mongodbUri: values["mongodb-uri"],
  };
}

export interface CliIo {
  out(text: string): void;
  /** The first line of stdin. */
  readPassword(): Promise<string>;
}

/** `by.actor`: who runs the command, `cli:<user>@<host>` (main.ts, cliActorOfProcess). */
export async function runUserCommand(
  db: Db,
  cmd: UserCommand,
  io: CliIo,
  by: { actor: string },
): Promise<void> {
  const CLI_ACTOR: Actor = { actor: by.actor, via: "cli" };
  const print = (value: unknown, text: string) => io.out(cmd.json ? JSON.stringify(value) : text);
  const newPassword = async () => {
    const password = cmd.passwordStdin ? await io.readPassword() : generateSecret("").slice(0, 20);
    const checked = passwordSchema.safeParse(password);
    if (!checked.success) throw new TypeError(`Password ${checked.error.issues[0].message}`);
    return { password, generated: !cmd.passwordStdin };
  };
  const name = cmd.username!;
  switch (cmd.command) {
    case "help":
      return io.out(USAGE);
    case "list": {
      const users = await listUsers(db);
      if (cmd.json) return io.out(JSON.stringify(users));
      for (const u of users) {
        io.out(
          `${u.username.padEnd(24)} ${u.role.padEnd(8)} ${u.disabled ? "disabled" : "active"}`,
        );
      }
      return;
    }
    case "add": {
      const role = cmd.role ?? ((await listUsers(db)).length === 0 ? "admin" : "viewer");
      const { password, generated } = await newPassword();
      const user = await addUser(db, hashPassword, { username: name, password, role }, CLI_ACTOR);
      const shown = generated ? { ...user, password } : user;
      return print(
        shown,
        `added ${name} (${role})${generated ? `; password (shown once): ${password}` : ""}`,
      );
    }
    case "reset-password": {
      const { password, generated } = await newPassword();
      await changeUser(db, hashPassword, name, { password }, CLI_ACTOR);
      return print(
        generated ? { username: name, password } : { username: name },
        `new password set for ${name}${
          generated ? ` (shown once): ${password}` : ""
        }; sessions ended`,
      );
    }
    case "set-role": {
      const user = await changeUser(db, hashPassword, name, { role: cmd.role! }, CLI_ACTOR);
      return print(user, `${name} is now ${user.role}`);
    }
    case "disable":
    case "enable": {
      const user = await changeUser(
        db,
        hashPassword,
        name,
        { disabled: cmd.command === "disable" },
        CLI_ACTOR,
      );
      return print(user, `${name} is ${user.disabled ? "disabled" : "enabled"}`);
    }
  }
}
