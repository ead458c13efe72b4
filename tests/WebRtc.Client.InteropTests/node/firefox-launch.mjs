// Launches Debian's Firefox ESR the way every interop script needs it (node/README.md "Facts").
// puppeteer-core drives it over WebDriver BiDi (playwright-core cannot drive a stock Firefox).
// FIREFOX_PATH overrides the executable.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import puppeteer from "puppeteer-core";

export const executablePath = process.env.FIREFOX_PATH || "/usr/bin/firefox-esr";

export const firefoxPrefs = {
  // Without these two a page in a namespace with only `lo` gathers nothing. Firefox limits ICE to
  // the "default address" (found by connecting a UDP socket towards a public address, which fails
  // without a route) unless the page captures or has a persistent camera/microphone permission;
  // media.peerconnection.ice.default_address_only=false does not lift that (it is ORed with it, and
  // false already by default).
  // A default "allow" for the microphone counts as that permission on every origin, with no capture.
  "permissions.default.microphone": 1,
  "permissions.default.camera": 1,
  // Loopback addresses are left out of gathering unless this is on.
  "media.peerconnection.ice.loopback": true,
  // Already off with the permission above; explicit, so host candidates stay plain addresses (no mDNS names).
  "media.peerconnection.ice.obfuscate_host_addresses": false,
  // getUserMedia without a prompt, from fake devices (for media tests).
  "media.navigator.permission.disabled": true,
  "media.navigator.streams.fake": true,
};

export function launchFirefox() {
  return puppeteer.launch({
    browser: "firefox",
    executablePath,
    headless: true,
    extraPrefsFirefox: firefoxPrefs,
  });
}

// The command line Firefox runs with and the preferences puppeteer wrote to its profile's user.js
// (Firefox reads them from there at start; BiDi cannot open about:config to show them in force).
export function firefoxLaunchConfig(browser) {
  const proc = browser.process();
  const args = proc ? proc.spawnargs : [];
  const i = args.findIndex((a) => a === "--profile" || a === "-profile");
  const profile = i >= 0 ? args[i + 1] : null;
  const userPrefs = {};
  if (profile) {
    for (const m of readFileSync(join(profile, "user.js"), "utf8").matchAll(/^user_pref\((".*?"),\s*(.*)\);$/gm)) {
      userPrefs[JSON.parse(m[1])] = JSON.parse(m[2]);
    }
  }
  return { commandLine: args.join(" "), profile, userPrefs };
}
