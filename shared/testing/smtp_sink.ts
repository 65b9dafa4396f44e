/**
 * A local SMTP server for tests (npm smtp-server): accepts every message on loopback without
 * authentication or TLS and keeps it, so a test can check what e-mail was sent.
 */
import { SMTPServer } from "smtp-server";

export interface SinkMessage {
  from: string;
  to: string[];
  subject: string;
  /** The whole message as received (headers and body). */
  raw: string;
}

export interface SmtpSink {
  /** `smtp://127.0.0.1:<port>` for nodemailer. */
  url: string;
  messages: SinkMessage[];
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

export async function startSmtpSink(): Promise<SmtpSink> {
  const messages: SinkMessage[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Uint8Array[] = [];
      stream.on("data", (chunk: Uint8Array) => chunks.push(chunk));
      stream.on("end", () => {
        const raw = new TextDecoder().decode(concat(chunks));
        const subject = /^Subject: (.*(?:\r\n[ \t].*)*)/mi.exec(raw)?.[1].replace(
          /\r\n[ \t]/g,
          " ",
        );
        messages.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          to: session.envelope.rcptTo.map((r: { address: string }) => r.address),
          subject: subject ?? "",
          raw,
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const port = (server.server.address() as { port: number }).port;
  const close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return { url: `smtp://127.0.0.1:${port}`, messages, close, [Symbol.asyncDispose]: close };
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.length;
  }
  return out;
}
