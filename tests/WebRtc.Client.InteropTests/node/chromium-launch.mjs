// Launches Debian's headless Chromium the way every interop script needs it (DESIGN.md "Tests").
// CHROMIUM_PATH overrides the executable.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";
import { log } from "./protocol.mjs";

const require = createRequire(import.meta.url);
export const executablePath = process.env.CHROMIUM_PATH || "/usr/bin/chromium";

// Chromium reads only the last --disable-features switch, and playwright-core passes its own list, so
// ours must carry playwright's features too: one merged list (DESIGN.md "Tests").
const ourDisabledFeatures = ["WebRtcHideLocalIpsWithMdns"];

function playwrightDisabledFeatures() {
  // playwright-core has no API for its default switches; read its list from the bundle it runs.
  const bundle = readFileSync(require.resolve("playwright-core/lib/coreBundle"), "utf8");
  const m = /disabledFeatures = \[([\s\S]*?)\]\.filter\(Boolean\)/.exec(bundle);
  if (!m) return null;
  const body = m[1].split("\n").map((l) => l.replace(/^\s*\/\/.*$/, "")).join("\n");
  return [...body.matchAll(/"([^"]+)"/g)].map((x) => x[1]);
}

const theirs = playwrightDisabledFeatures();
if (!theirs) log("warning: could not read playwright-core's --disable-features list; passing ours last (Chromium uses the last one)");
const disableFeatures = [...new Set([...(theirs ?? []), ...ourDisabledFeatures])];
export const chromiumArgs = [
  "--use-fake-device-for-media-stream",
  "--use-fake-ui-for-media-stream",
  "--allow-loopback-in-peer-connection",
  // Remote audio plays unmuted without a user gesture (its level is measured after the volume).
  "--autoplay-policy=no-user-gesture-required",
  "--disable-features=" + disableFeatures.join(","),
];

export function launchChromium() {
  return chromium.launch({
    executablePath,
    headless: true,
    args: chromiumArgs,
    // Drop playwright's own list; ours above is a superset of it.
    ignoreDefaultArgs: theirs ? ["--disable-features=" + theirs.join(",")] : undefined,
  });
}
