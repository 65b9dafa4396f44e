/**
 * The browser tests' Chromium. Without it they are skipped, and say so; with `CI` set they run
 * anyway and fail, so a CI machine without a browser never passes by skipping them.
 */
export const CHROMIUM = Deno.env.get("FLEETMON_CHROMIUM") ?? "/usr/bin/chromium";

/** For `Deno.test({ ignore })`: true only when Chromium is missing and `CI` is not set. */
export async function withoutBrowser(): Promise<boolean> {
  const present = await Deno.stat(CHROMIUM).then(() => true, () => false);
  if (present) return false;
  if (Deno.env.get("CI")) {
    Deno.stderr.writeSync(
      new TextEncoder().encode(`CI is set and ${CHROMIUM} is missing: the browser tests fail\n`),
    );
    return false;
  }
  Deno.stderr.writeSync(
    new TextEncoder().encode(
      `browser tests skipped: no ${CHROMIUM} (apt-get install chromium; with CI set they fail)\n`,
    ),
  );
  return true;
}
