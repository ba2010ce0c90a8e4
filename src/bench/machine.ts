import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { availableParallelism, cpus, release, totalmem, type as osType } from "node:os";
import type { Table } from "./report.js";

export interface MachineInfo {
  cpu: string;
  /** CPUs this process may use (availableParallelism), which a container may limit below the host's count. */
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
  git: string;
}

export function describeMachine(): MachineInfo {
  return {
    cpu: cpuModel(),
    cores: availableParallelism(),
    memoryGiB: totalmem() / 1_073_741_824,
    os: `${osType()} ${release()}`,
    node: process.version,
    git: gitVersion(),
  };
}

export function machineTable(machine: MachineInfo, date: Date): Table {
  return {
    headers: ["", ""],
    align: ["left", "left"],
    rows: [
      ["date", date.toISOString().replace(/\.\d+Z$/, "Z")],
      ["CPU", machine.cpu],
      ["cores", String(machine.cores)],
      ["memory", `${machine.memoryGiB.toFixed(1)} GiB`],
      ["OS", machine.os],
      ["Node.js", machine.node],
      ["git", machine.git],
    ],
  };
}

/** Reads the "model name" line of /proc/cpuinfo on Linux, else the model Node reports. */
function cpuModel(): string {
  try {
    const match = /^model name\s*:\s*(.+)$/m.exec(readFileSync("/proc/cpuinfo", "utf8"));
    if (match?.[1] !== undefined) return match[1].trim();
  } catch {
    // Not Linux: fall through to Node's view.
  }
  return cpus()[0]?.model ?? "unknown";
}

function gitVersion(): string {
  try {
    return execFileSync("git", ["--version"], { encoding: "utf8" }).trim().replace(/^git version /, "");
  } catch {
    return "not found";
  }
}
