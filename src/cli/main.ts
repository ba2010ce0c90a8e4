#!/usr/bin/env node
import { runCli } from "./program.js";

process.exitCode = await runCli({
  argv: process.argv.slice(2),
  env: process.env,
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  stderrIsTty: process.stderr.isTTY,
});
