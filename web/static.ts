/**
 * Static assets, compiled into the module graph with Deno's text imports: uPlot comes from the
 * npm package (npm:uplot, cached by Deno like any dependency, so it works offline and needs no
 * read permission or node_modules folder), our own CSS and scripts from ./static/.
 * Served under /static/NAME with an ETag; browsers revalidate (Cache-Control: no-cache), so a
 * new version is picked up at once even when lb(web) alternates nodes.
 */
import type { Context } from "hono";
import uplotJs from "uplot/dist/uPlot.iife.min.js" with { type: "text" };
import uplotCss from "uplot/dist/uPlot.min.css" with { type: "text" };
import appCss from "./static/app.css" with { type: "text" };
import commonJs from "./static/common.js" with { type: "text" };
import devicesJs from "./static/devices.js" with { type: "text" };
import overviewJs from "./static/overview.js" with { type: "text" };
import deviceJs from "./static/device.js" with { type: "text" };
import clusterJs from "./static/cluster.js" with { type: "text" };
import faviconSvg from "./static/favicon.svg" with { type: "text" };
import alertsCss from "./static/alerts.css" with { type: "text" };
import alertsJs from "./static/alerts.js" with { type: "text" };
import { sha256Hex } from "@fleetmon/shared/db";
import { formatMetric, formatNumber, relativeTime } from "./views/format.ts";

/**
 * common.js starts with the pages' own formatting functions (their source, as Deno compiled
 * them: they use nothing but built-ins), so the browser's live updates match the server's pages.
 * Bound to fixed names, since a bundler may rename the functions themselves.
 */
const sharedFormatting = [
  `"use strict";`,
  `const relativeTime = ${relativeTime};`,
  `const formatNumber = ${formatNumber};`,
  `const formatMetric = ${formatMetric};`,
].join("\n");

const JS = "text/javascript; charset=utf-8";
const CSS = "text/css; charset=utf-8";

const ASSETS: Record<string, { type: string; body: string }> = {
  "uplot.js": { type: JS, body: uplotJs },
  "uplot.css": { type: CSS, body: uplotCss },
  "app.css": { type: CSS, body: appCss },
  "common.js": { type: JS, body: `${sharedFormatting}\n${commonJs}` },
  "devices.js": { type: JS, body: devicesJs },
  "overview.js": { type: JS, body: overviewJs },
  "device.js": { type: JS, body: deviceJs },
  "cluster.js": { type: JS, body: clusterJs },
  "favicon.svg": { type: "image/svg+xml", body: faviconSvg },
  "alerts.css": { type: CSS, body: alertsCss },
  "alerts.js": { type: JS, body: alertsJs },
};

export const ASSET_NAMES: readonly string[] = Object.keys(ASSETS);

const etags = new Map<string, Promise<string>>();
function etagOf(name: string): Promise<string> {
  let etag = etags.get(name);
  if (!etag) {
    etag = sha256Hex(ASSETS[name].body).then((hex) => `"${hex.slice(0, 32)}"`);
    etags.set(name, etag);
  }
  return etag;
}

/** Handler for GET /static/:name; undefined for unknown names so the app answers 404. */
export async function serveAsset(c: Context, name: string): Promise<Response | undefined> {
  const asset = Object.hasOwn(ASSETS, name) ? ASSETS[name] : undefined;
  if (!asset) return undefined;
  const etag = await etagOf(name);
  const headers = { "ETag": etag, "Cache-Control": "no-cache", "Content-Type": asset.type };
  if (c.req.header("if-none-match") === etag) return c.body(null, 304, headers);
  return c.body(asset.body, 200, headers);
}
