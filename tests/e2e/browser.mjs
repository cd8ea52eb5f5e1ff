// browser.mjs — how every browser test launches Chromium on this kind of
// machine: Debian's own /usr/bin/chromium (playwright-core downloads none),
// headless, as root without the sandbox, and with none of Chromium's
// background connections (the machines reach no network but loopback).
// playwright-core gives each launch a fresh profile of its own.
export const CHROMIUM = process.env.MOTCUA_CHROMIUM || "/usr/bin/chromium";

export function launchOptions() {
  return {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  };
}
