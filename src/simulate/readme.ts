import type { ImportStep } from "./write-files.js";
import type { SimulationOptions } from "./options.js";

/** Returns the `worklens import` command of one step, run from the output folder. */
export function importCommand(step: ImportStep): string {
  switch (step.source) {
    case "jira":
      return `worklens import jira ${step.file}`;
    case "git":
      return `worklens import git ${step.file} --repo ${step.repo}`;
    case "ics":
      return `worklens import ics ${step.file} --person ${step.person}`;
    case "wakatime":
      return `worklens import wakatime ${step.file} --person ${step.person} --machine ${step.machine}`;
  }
}

/** Writes the README.md of an output folder: what the data is, the options that made it, and how to import it. */
export function readme(options: SimulationOptions, imports: readonly ImportStep[], counts: Record<string, number>): string {
  const commands = imports.map(importCommand).join("\n");
  return `# Synthetic worklens data

**This folder contains synthetic data. It is not real data about real people.**
\`worklens simulate\` made it from a seeded random model of a team; the people, e-mail
addresses (at the reserved example.org domain), issues, commits, meetings and editor
activity are invented. docs/simulator.md in the worklens repository lists every
assumption of the model with its number.

## Options

| option | value |
| --- | --- |
| seed | ${options.seed} |
| people | ${options.people} |
| working days | ${options.days} |
| start | ${options.start} |
| Jira project keys | ${options.projectKeys.join(", ")} |

The same options give the same files byte for byte:

\`\`\`sh
worklens simulate --out DIR --people ${options.people} --days ${options.days} --start ${options.start} --seed ${options.seed} --projects ${options.projectKeys.join(",")}
\`\`\`

## Contents

| path | contents |
| --- | --- |
| jira/issues.json | ${counts["issues"] ?? 0} issues as one Jira REST v2 search response, with comments and changelogs |
| git/*.log | ${counts["commits"] ?? 0} commits, one \`git log --all --date-order --format=fuller --date=iso-strict --numstat\` file per repository |
| calendar/*.ics | one iCalendar file per person: stand-ups, meetings, focus time, days out of office |
| wakatime/*.json | ${counts["heartbeats"] ?? 0} WakaTime heartbeats, one file per person and machine |
| github/pull-requests.json | ${counts["pullRequests"] ?? 0} pull requests in the shape of GitHub's REST API; no \`worklens import\` command reads it |
| truth.csv, truth.json | the true working seconds per person, local day and issue (empty issue key: time on no issue) |
| manifest.json | the import steps below, for \`importSimulation\` in src/simulate |

## Import

Run these commands in this folder, in this order. Jira comes first because its users
carry each person's time zone. Add \`--store FILE\` before \`import\` to choose the store.

\`\`\`sh
${commands}
\`\`\`

Then \`worklens suggest\` links the activities and suggests worklogs, which can be
compared with truth.csv.
`;
}
