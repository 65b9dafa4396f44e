/**
 * The two ways a notification leaves: an HTTP POST signed with HMAC-SHA256, and an e-mail over
 * SMTP (nodemailer). Each returns a short detail for the delivery log, or throws a
 * DeliveryError saying whether trying again could help.
 */
import nodemailer from "nodemailer";
import { emailSubject, emailText, type NotificationPayload } from "./notification.ts";

export class DeliveryError extends Error {
  override name = "DeliveryError";
  /** False when a retry cannot help (e.g. 400, 404, a refused recipient). */
  readonly retryable: boolean;
  constructor(message: string, retryable: boolean, options?: ErrorOptions) {
    super(message, options);
    this.retryable = retryable;
  }
}

export interface Senders {
  webhook(url: string, payload: NotificationPayload, secret: string): Promise<string>;
  email(to: string, payload: NotificationPayload): Promise<string>;
  close(): void;
}

export const WEBHOOK_TIMEOUT_MS = 5_000;

/** `sha256=<hex>` of HMAC-SHA256(secret, `${timestamp}.${body}`), as Stripe and Slack sign. */
export async function signWebhook(secret: string, timestamp: string, body: string) {
  const encoder = new TextEncoder();
  const key = await crypto.subtle.importKey(
    "raw",
    encoder.encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = await crypto.subtle.sign("HMAC", key, encoder.encode(`${timestamp}.${body}`));
  return "sha256=" + Array.from(new Uint8Array(mac), (b) => b.toString(16).padStart(2, "0"))
    .join("");
}

export async function sendWebhook(
  url: string,
  payload: NotificationPayload,
  secret: string,
  now = Date.now,
): Promise<string> {
  const body = JSON.stringify(payload);
  const timestamp = String(Math.floor(now() / 1000));
  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "user-agent": "fleetmon-alerts",
        "x-fleetmon-event": payload.id,
        "x-fleetmon-timestamp": timestamp,
        "x-fleetmon-signature": await signWebhook(secret, timestamp, body),
      },
      body,
      redirect: "manual",
      signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
    });
  } catch (error) {
    throw new DeliveryError(`POST ${url} failed: ${(error as Error).message}`, true, {
      cause: error,
    });
  }
  await response.body?.cancel();
  if (response.ok) return `HTTP ${response.status}`;
  const retryable = response.status >= 500 || response.status === 408 || response.status === 429;
  throw new DeliveryError(`POST ${url} answered HTTP ${response.status}`, retryable);
}

export interface SmtpOptions {
  /** smtp://user:pass@host:port or smtps://…; undefined: e-mail is not configured. */
  url?: string;
  from: string;
}

export function createSenders(smtp: SmtpOptions): Senders {
  const transport = smtp.url
    ? nodemailer.createTransport(smtp.url, { from: smtp.from })
    : undefined;
  return {
    webhook: (url, payload, secret) => sendWebhook(url, payload, secret),
    async email(to, payload) {
      if (!transport) {
        throw new DeliveryError(
          "Cannot send e-mail: no SMTP server is configured (--smtp-url)",
          false,
        );
      }
      try {
        const info = await transport.sendMail({
          to,
          subject: emailSubject(payload),
          text: emailText(payload),
          headers: { "X-Fleetmon-Event": payload.id },
        });
        return String(info.response ?? "sent");
      } catch (error) {
        const code = (error as { responseCode?: number }).responseCode;
        const retryable = code === undefined || code < 500;
        throw new DeliveryError(`SMTP to ${to} failed: ${(error as Error).message}`, retryable, {
          cause: error,
        });
      }
    },
    close: () => transport?.close(),
  };
}
