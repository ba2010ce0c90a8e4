import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { generateGitLogs, type GeneratedGitLog } from "./generate-git-log.js";
import { generateJiraSearch } from "./generate-jira.js";
import { generateHeartbeats, type GeneratedHeartbeats } from "./generate-wakatime.js";
import { planWorld, type SyntheticWorld } from "./synthetic-world.js";

export interface WorkloadSizes {
  people: number;
  issues: number;
  commits: number;
  heartbeats: number;
}

export interface Workload {
  sizes: WorkloadSizes;
  world: SyntheticWorld;
  /** One Jira REST v2 search response with every issue. */
  jira: string;
  gitLogs: GeneratedGitLog[];
  heartbeats: GeneratedHeartbeats[];
}

/** Generates the synthetic team's Jira, git and WakaTime data; the same sizes and seed give the same text. */
export function generateWorkload(sizes: WorkloadSizes, seed: number): Workload {
  const world = planWorld(sizes, seed);
  return {
    sizes,
    world,
    jira: generateJiraSearch(world),
    gitLogs: generateGitLogs(world, sizes.commits),
    heartbeats: generateHeartbeats(world, sizes.heartbeats),
  };
}

const fileEntry = z.object({ file: z.string(), bytes: z.number(), records: z.number() });

/** Manifest of the files `writeWorkload` writes, which the benchmark worker reads back. */
export const workloadManifestSchema = z.object({
  sizes: z.object({ people: z.number(), issues: z.number(), commits: z.number(), heartbeats: z.number() }),
  seed: z.number(),
  jira: fileEntry,
  gitLogs: z.array(fileEntry.extend({ repo: z.string() })),
  wakatime: z.array(fileEntry.extend({ email: z.string(), displayName: z.string() })),
});
export type WorkloadManifest = z.infer<typeof workloadManifestSchema>;

export const MANIFEST_FILE = "manifest.json";

/** Writes the workload's files and a manifest of them into `folder`. */
export async function writeWorkload(workload: Workload, folder: string): Promise<WorkloadManifest> {
  const write = async (name: string, text: string, records: number) => {
    const file = join(folder, name);
    await writeFile(file, text);
    return { file, bytes: Buffer.byteLength(text, "utf8"), records };
  };

  const manifest: WorkloadManifest = {
    sizes: workload.sizes,
    seed: workload.world.seed,
    jira: await write("jira-issues.json", workload.jira, workload.world.issues.length),
    gitLogs: [],
    wakatime: [],
  };
  for (const log of workload.gitLogs) {
    manifest.gitLogs.push({ ...(await write(`git-log-${log.repo}.txt`, log.text, log.commits)), repo: log.repo });
  }
  for (const beats of workload.heartbeats) {
    const entry = await write(`wakatime-${beats.person.login}.json`, beats.text, beats.count);
    manifest.wakatime.push({ ...entry, email: beats.person.email, displayName: beats.person.displayName });
  }
  await writeFile(join(folder, MANIFEST_FILE), JSON.stringify(manifest, null, 2));
  return manifest;
}
