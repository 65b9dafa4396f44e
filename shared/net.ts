/** Host-and-port addresses as written in config: `127.0.0.1:7000`, `[::1]:7000`, `localhost:0`. */
import { z } from "zod";

export interface HostPort {
  hostname: string;
  port: number;
}

export function parseHostPort(text: string): HostPort {
  const match = /^(?:\[([^\]]+)\]|([^:\[\]]+)):(\d{1,5})$/.exec(text.trim());
  if (!match) throw new TypeError(`Cannot parse address: "${text}" is not host:port`);
  const port = Number(match[3]);
  if (port > 65535) throw new RangeError(`Cannot parse address: port ${port} exceeds 65535`);
  return { hostname: match[1] ?? match[2], port };
}

export function formatHostPort({ hostname, port }: HostPort): string {
  return hostname.includes(":") ? `[${hostname}]:${port}` : `${hostname}:${port}`;
}

/** A zod schema that turns "host:port" into a HostPort, with a readable issue when it can't. */
export const hostPortSchema = z.string().transform((text, ctx): HostPort => {
  try {
    return parseHostPort(text);
  } catch (error) {
    ctx.addIssue({ code: "custom", message: (error as Error).message });
    return z.NEVER;
  }
});
