#!/usr/bin/env node
// The `otf` command's launcher, plain JavaScript so any Node can start it: it runs scheduler/cli.ts
// on a Node that strips types (>= 22.18, or the project's own Node 24 devDependency), with the
// loader hook that compiles workflows and the condition that resolves otf to its sources.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const [major, minor] = process.versions.node.split(".").map(Number);
const capable = major > 22 || (major === 22 && minor >= 18);
const bundled = join(root, "node_modules", "node", "bin", "node");
const node = capable ? process.execPath : existsSync(bundled) ? bundled : undefined;
if (!node) {
  process.stderr.write(`otf needs Node >= 22.18 (this is ${process.versions.node}); install Node 24 or run npm install in ${root}\n`);
  process.exit(2);
}
const flags = ["--conditions=otf-source", "--import", join(root, "transformer", "register.ts"), "--disable-warning=ExperimentalWarning"];
const child = spawn(node, [...flags, join(root, "scheduler", "cli.ts"), ...process.argv.slice(2)], { stdio: "inherit" });
// Signals sent to this launcher (a service manager's SIGTERM) go on to the command, which stops cleanly.
const signals = ["SIGINT", "SIGTERM", "SIGHUP"];
for (const signal of signals) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => {
  if (signal) {
    for (const s of signals) process.removeAllListeners(s);
    process.kill(process.pid, signal);
  }
  process.exit(code ?? 1);
});
