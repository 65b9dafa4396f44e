/**
 * One PNG per scenario: acked readings/s and web requests/s over time, faults marked by a red
 * line with their label. Drawn with pureimage (a canvas in plain JavaScript) in the DejaVu font
 * Debian ships; without that font the plot is drawn without words.
 */
import * as PImage from "pureimage";
import { PassThrough } from "node:stream";
import type { Mark, RatePoint } from "./timeline.ts";

const FONT_FILE = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
const W = 900;
const H = 420;
const PAD = { left: 70, right: 70, top: 50, bottom: 45 };
let fontLoaded: boolean | undefined;

function loadFont(): boolean {
  if (fontLoaded !== undefined) return fontLoaded;
  try {
    Deno.statSync(FONT_FILE);
    PImage.registerFont(FONT_FILE, "DejaVu Sans").loadSync();
    fontLoaded = true;
  } catch {
    fontLoaded = false;
  }
  return fontLoaded;
}

export async function plotScenario(
  title: string,
  points: RatePoint[],
  marks: Mark[],
): Promise<Uint8Array> {
  const text = loadFont();
  const img = PImage.make(W, H);
  const ctx = img.getContext("2d");
  ctx.fillStyle = "#ffffff";
  ctx.fillRect(0, 0, W, H);
  const t0 = points[0]?.s ?? 0;
  const t1 = Math.max(points[points.length - 1]?.s ?? 1, t0 + 1);
  // Four grid steps of a round size each, so every axis label is a round number, and a tenth
  // of headroom, so a steady rate does not run along the top edge under the legend.
  const maxAcked = 4 * niceMax((1.1 * Math.max(1, ...points.map((p) => p.ackedPerS))) / 4);
  const maxWeb = 4 *
    niceMax((1.1 * Math.max(1, ...points.map((p) => Math.max(p.webPerS, p.webFailedPerS)))) / 4);
  const x = (s: number) => PAD.left + ((s - t0) / (t1 - t0)) * (W - PAD.left - PAD.right);
  const yOf = (max: number) => (v: number) =>
    H - PAD.bottom - (v / max) * (H - PAD.top - PAD.bottom);
  const [yA, yW] = [yOf(maxAcked), yOf(maxWeb)];

  ctx.strokeStyle = "#dddddd";
  ctx.lineWidth = 1;
  for (let i = 0; i <= 4; i++) {
    line(ctx, PAD.left, yA((maxAcked * i) / 4), W - PAD.right, yA((maxAcked * i) / 4));
  }
  ctx.strokeStyle = "#444444";
  line(ctx, PAD.left, H - PAD.bottom, W - PAD.right, H - PAD.bottom);
  series(ctx, points.map((p) => [x(p.s), yA(p.ackedPerS)]), "#1f77b4", 2);
  series(ctx, points.map((p) => [x(p.s), yW(p.webPerS)]), "#2ca02c", 2);
  series(ctx, points.map((p) => [x(p.s), yW(p.webFailedPerS)]), "#ff7f0e", 2);
  for (const [i, m] of marks.entries()) {
    const mx = x(m.t / 1000);
    ctx.strokeStyle = "#d62728";
    ctx.lineWidth = 2;
    line(ctx, mx, PAD.top, mx, H - PAD.bottom);
    if (text) {
      // On a white ground, so the label stays readable over the lines it crosses.
      const [lx, ly] = [
        Math.min(mx + 4, W - PAD.right - m.label.length * 7),
        PAD.top + 14 + (i % 4) * 16,
      ];
      ctx.fillStyle = "#ffffff";
      ctx.fillRect(lx - 2, ly - 12, m.label.length * 7 + 4, 15);
      label(ctx, m.label, lx, ly, "#d62728");
    }
  }
  if (text) {
    label(ctx, title, PAD.left, 22, "#000000", 16);
    label(ctx, "acked readings/s (3-s mean)", PAD.left, 42, "#1f77b4");
    label(ctx, "web requests/s (right axis)", PAD.left + 220, 42, "#2ca02c");
    label(ctx, "failed web requests/s (right axis)", PAD.left + 440, 42, "#ff7f0e");
    for (let i = 0; i <= 4; i++) {
      label(ctx, fmt((maxAcked * i) / 4), 8, yA((maxAcked * i) / 4) + 4, "#1f77b4");
      label(ctx, fmt((maxWeb * i) / 4), W - PAD.right + 8, yW((maxWeb * i) / 4) + 4, "#2ca02c");
    }
    const step = niceMax((t1 - t0) / 8);
    for (let s = Math.ceil(t0 / step) * step; s <= t1; s += step) {
      label(ctx, `${Math.round(s)} s`, x(s) - 12, H - PAD.bottom + 18, "#444444");
    }
    label(ctx, "time since the run started", W / 2 - 80, H - 8, "#444444");
  }
  return await encode(img);
}

type Ctx = ReturnType<ReturnType<typeof PImage.make>["getContext"]>;

function line(ctx: Ctx, x1: number, y1: number, x2: number, y2: number): void {
  ctx.beginPath();
  ctx.moveTo(x1, y1);
  ctx.lineTo(x2, y2);
  ctx.stroke();
}

function series(ctx: Ctx, pts: number[][], color: string, width: number): void {
  if (pts.length < 2) return;
  ctx.strokeStyle = color;
  ctx.lineWidth = width;
  ctx.beginPath();
  ctx.moveTo(pts[0][0], pts[0][1]);
  for (const [px, py] of pts.slice(1)) ctx.lineTo(px, py);
  ctx.stroke();
}

function label(ctx: Ctx, s: string, x: number, y: number, color: string, size = 12): void {
  ctx.fillStyle = color;
  ctx.font = `${size}px 'DejaVu Sans'`;
  ctx.fillText(s, x, y);
}

/** 1, 2 or 5 times a power of ten, at least `v`. */
export function niceMax(v: number): number {
  const p = 10 ** Math.floor(Math.log10(v));
  return [1, 2, 5, 10].map((m) => m * p).find((c) => c >= v) ?? 10 * p;
}

function fmt(v: number): string {
  return v >= 1000
    ? `${(v / 1000).toFixed(v % 1000 === 0 ? 0 : 1)}k`
    : String(Math.round(v * 10) / 10);
}

async function encode(img: ReturnType<typeof PImage.make>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  const sink = new PassThrough();
  sink.on("data", (chunk: Uint8Array) => chunks.push(chunk));
  await PImage.encodePNGToStream(img, sink);
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
