/**
 * Words the synthetic team's issues, commits and files are made of. The names are
 * invented; e-mail addresses use the reserved example.org domain (RFC 2606).
 */

export const FIRST_NAMES = [
  "Ada", "Bram", "Cleo", "Dario", "Edda", "Faye", "Gus", "Hana", "Ivo", "Juna",
  "Kasper", "Lina", "Milo", "Nora", "Otto", "Pia", "Quinn", "Rosa", "Sven", "Tess",
] as const;

export const LAST_NAMES = [
  "Ashford", "Brightwater", "Caldwell", "Dunmore", "Eastwick", "Fairlie", "Glenholm", "Hartwell", "Ivers", "Jarrow",
  "Kestrel", "Larkspur", "Merriweather", "Northam", "Oakridge", "Pemberton", "Quarry", "Redfern", "Stonebridge", "Thornbury",
] as const;

/** IANA zones of the team, so dates carry several offsets and daylight-saving changes. */
export const ZONES = ["Europe/Berlin", "America/New_York", "Asia/Kolkata", "Europe/London", "America/Los_Angeles", "Asia/Tokyo"] as const;

export interface ProjectVocabulary {
  key: string;
  repo: string;
  modules: readonly string[];
  nouns: readonly string[];
}

export const PROJECTS: readonly ProjectVocabulary[] = [
  {
    key: "CRAWL",
    repo: "crawler",
    modules: ["fetcher", "parser", "scheduler", "robots", "dns"],
    nouns: ["redirect loop", "politeness delay", "sitemap index", "retry budget", "content sniffing", "charset detection", "host queue"],
  },
  {
    key: "INDEX",
    repo: "indexer",
    modules: ["analyzer", "segments", "merge", "query", "schema"],
    nouns: ["stemming rules", "segment merge", "field boost", "stop words", "phrase query", "deleted documents", "commit point"],
  },
  {
    key: "WEB",
    repo: "webapp",
    modules: ["login", "dashboard", "search", "settings", "client"],
    nouns: ["session cookie", "result paging", "facet counts", "dark mode", "error banner", "keyboard shortcuts", "saved queries"],
  },
  {
    key: "OPS",
    repo: "infra",
    modules: ["deploy", "metrics", "backup", "alerting", "network"],
    nouns: ["rolling restart", "disk alerts", "snapshot retention", "TLS renewal", "log rotation", "node pool", "dashboard panels"],
  },
];

export const VERBS = ["Fix", "Add", "Improve", "Remove", "Refactor", "Speed up", "Document", "Handle", "Support", "Test"] as const;

export const FILE_STEMS = ["index", "config", "worker", "client", "model", "handler", "utils", "types", "service", "store"] as const;

export const ISSUE_TYPES = ["Bug", "Story", "Task", "Improvement"] as const;

export const PRIORITIES = ["Blocker", "Critical", "Major", "Minor", "Trivial"] as const;

export const PROBLEMS = [
  "fails when the input is empty",
  "is slow on large inputs",
  "logs the same warning many times",
  "ignores the configured limit",
  "breaks after a restart",
  "returns stale results",
] as const;

export const CHORES = [
  "Update dependencies",
  "Tidy imports",
  "Bump version for release",
  "Fix typo in README",
  "Reformat code",
  "Raise test timeout",
] as const;
