// The stdin/stdout side of the interop protocol: one JSON object per line each way.
// Commands are handled one at a time, in order; each gets exactly one reply, either
// {"event":"result","seq":N,"cmd":NAME,...fields} or {"event":"error","seq":N,"cmd":NAME,"name","message"}.
// Everything else on stdout is an unsolicited event. Diagnostics go to stderr only.
import { createInterface } from "node:readline";

let stdoutBroken = false;
process.stdout.on("error", () => {
  // The test went away: nothing left to talk to.
  stdoutBroken = true;
  process.exit(0);
});

export function emit(event) {
  if (stdoutBroken) return;
  process.stdout.write(JSON.stringify(event) + "\n");
}

export function log(...args) {
  process.stderr.write(`[${new Date().toISOString()}] ${args.join(" ")}\n`);
}

/**
 * @param {{ handle(cmd): Promise<object>, driverCommands?: Record<string, (cmd) => Promise<object>>, shutdown(): Promise<void> }} peer
 */
export function runProtocol(peer) {
  let chain = Promise.resolve();
  let exiting = false;
  const exit = async (code) => {
    if (exiting) return;
    exiting = true;
    try { await Promise.race([peer.shutdown(), new Promise((r) => setTimeout(r, 5000))]); } catch (e) { log("shutdown failed:", e && e.stack); }
    process.stdout.write("", () => process.exit(code));
  };
  const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
  rl.on("line", (line) => {
    if (!line.trim()) return;
    let cmd;
    try {
      cmd = JSON.parse(line);
    } catch (e) {
      emit({ event: "error", seq: null, cmd: null, name: "SyntaxError", message: "bad command line: " + e.message });
      return;
    }
    chain = chain.then(async () => {
      if (cmd.cmd === "exit") {
        emit({ event: "result", seq: cmd.seq ?? null, cmd: "exit" });
        await exit(0);
        return;
      }
      try {
        const own = peer.driverCommands && peer.driverCommands[cmd.cmd];
        const result = own ? await own(cmd) : await peer.handle(cmd);
        emit({ ...(result ?? {}), event: "result", seq: cmd.seq ?? null, cmd: cmd.cmd });
      } catch (e) {
        emit({ event: "error", seq: cmd.seq ?? null, cmd: cmd.cmd, name: (e && e.name) || "Error", message: String((e && e.message) || e) });
      }
    });
  });
  rl.on("close", () => { chain.then(() => exit(0)); });
  process.on("SIGTERM", () => exit(0));
  process.on("uncaughtException", (e) => {
    if (e && e.code === "EPIPE") { stdoutBroken = true; process.exit(0); }
    log("uncaught:", e && e.stack); emit({ event: "error", seq: null, cmd: null, name: "UncaughtException", message: String(e && e.message) });
  });
  process.on("unhandledRejection", (e) => { log("unhandled rejection:", e && e.stack); emit({ event: "error", seq: null, cmd: null, name: "UnhandledRejection", message: String(e && e.message) }); });
}
