/** The web tier's public face: the app, the HTTPS server, the node, and the local cert helper. */
export { CONTENT_SECURITY_POLICY, createApp } from "./app.ts";
export type { AppDeps, WebEnv } from "./context.ts";
export { createWebServer, type WebServer, type WebServerOptions } from "./server.ts";
export { startWebNode, WEB_VERSION, type WebNode } from "./node.ts";
export { loadWebConfig, type WebConfig, webConfigSchema } from "./config.ts";
export { ensureSelfSignedCert } from "./cert.ts";
export { handoverRisk } from "./handover.ts";
export { createStats, type WebStats } from "./stats.ts";
export { SESSION_COOKIE } from "./sessions.ts";
