/**
 * The operator's device commands: add, list, enable, disable, rotate. Tokens are printed once,
 * when created, and never stored: only their hashes are. Every change is written to the audit log
 * (shared/db/audit.ts, the writer the web uses) as `cli:<user>@<host>`, the same action names as
 * the web's (`device.register`, …), so /audit shows who added a device from a shell.
 */
import { parseArgs } from "node:util";
import type { Db } from "mongodb";
import {
  listDevices,
  recordAudit,
  registerDevice,
  rotateDeviceToken,
  setDeviceEnabled,
} from "@fleetmon/shared/db";
import { ago, formatTable } from "./table.ts";

export const USAGE = `Usage: deno task device <command> [options]

Commands:
  add <id> [--name NAME]   register a device and print its token (shown only once)
  list                     list devices with when each was last seen
  disable <id>             refuse the device; its live connections are closed within seconds
  enable <id>              accept the device again
  rotate <id>              give the device a new token (printed once); the old one stops working

Options:
  --mongodb-uri URI        the database (default: $MONGODB_URI)
  --json                   print JSON instead of text`;

export interface CommandOutput {
  out(text: string): void;
}

export interface ParsedCommand {
  command: "add" | "list" | "disable" | "enable" | "rotate" | "help";
  id?: string;
  name?: string;
  json: boolean;
  mongodbUri?: string;
}

const COMMANDS = new Set(["add", "list", "disable", "enable", "rotate", "help"]);

/** Reads the command line; throws TypeError with the reason for anything it cannot run. */
export function parseCommand(args: string[]): ParsedCommand {
  const { values, positionals } = parseArgs({
    args,
    options: {
      name: { type: "string" },
      json: { type: "boolean", default: false },
      "mongodb-uri": { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
    allowPositionals: true,
  });
  const [command = "help", id, ...extra] = positionals;
  if (values.help) return { command: "help", json: false };
  if (!COMMANDS.has(command)) throw new TypeError(`Unknown command "${command}"`);
  const needsId = command !== "list" && command !== "help";
  if (needsId && !id) throw new TypeError(`The ${command} command needs a device id`);
  if ((!needsId && id) || extra.length > 0) {
    throw new TypeError(`Unexpected argument "${needsId ? extra[0] : id}"`);
  }
  if (values.name !== undefined && command !== "add") {
    throw new TypeError("Only the add command takes --name");
  }
  return {
    command: command as ParsedCommand["command"],
    id,
    name: values.name,
    json: values.json,
    mongodbUri: values["mongodb-uri"],
  };
}

export async function runCommand(
  db: Db,
  parsed: ParsedCommand,
  output: CommandOutput,
  options: { actor: string; now?: number },
): Promise<void> {
  const { id, json } = parsed;
  const now = options.now ?? Date.now();
  const print = (text: string, data: unknown) => output.out(json ? JSON.stringify(data) : text);
  const audit = (action: string, detail?: Record<string, unknown>) =>
    recordAudit(db, {
      actor: options.actor,
      via: "cli",
      action,
      target: id!,
      ...(detail && { detail }),
    }, new Date(now));
  switch (parsed.command) {
    case "help":
      return output.out(USAGE);
    case "add": {
      const { device, token } = await registerDevice(db, { id: id!, name: parsed.name });
      await audit("device.register", { name: device.name });
      return print(
        `Registered device ${device._id}.\nIts token, shown only now:\n\n  ${token}\n\n` +
          `Give it to the device, e.g. deno task agent --device ${device._id} --token-file FILE`,
        { device: device._id, name: device.name, token },
      );
    }
    case "rotate": {
      const token = await rotateDeviceToken(db, id!);
      await audit("device.token_rotate");
      return print(
        `New token for ${id}, shown only now (the old one no longer works):\n\n  ${token}\n`,
        { device: id, token },
      );
    }
    case "enable":
    case "disable": {
      const enabled = parsed.command === "enable";
      await setDeviceEnabled(db, id!, enabled);
      await audit(enabled ? "device.enable" : "device.disable");
      return print(`Device ${id} is ${enabled ? "enabled" : "disabled"}.`, { device: id, enabled });
    }
    case "list": {
      const devices = await listDevices(db);
      if (json) {
        return devices.forEach((d) =>
          output.out(JSON.stringify({
            device: d._id,
            name: d.name,
            enabled: d.enabled,
            lastSeen: d.last?.seen ?? null,
            lastNode: d.last?.node ?? null,
            lastSeq: d.last?.seq ?? null,
          }))
        );
      }
      if (devices.length === 0) {
        return output.out("No devices. Add one with: deno task device add <id>");
      }
      return output.out(
        formatTable(
          ["DEVICE", "NAME", "ENABLED", "LAST SEEN", "NODE", "METRICS"],
          devices.map((d) => [
            d._id,
            d.name,
            d.enabled ? "yes" : "no",
            ago(d.last?.seen, now),
            d.last?.node ?? "-",
            String(Object.keys(d.last?.metrics ?? {}).length),
          ]),
        ) + `\n${devices.length} device${devices.length === 1 ? "" : "s"}`,
      );
    }
  }
}
