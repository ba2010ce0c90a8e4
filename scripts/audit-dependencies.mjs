#!/usr/bin/env node
// Dependency audit run by CI. Three checks, each printed with its result:
//
// 1. Lock file policy (always, offline): every package comes from the npm registry as a
//    tarball with a sha512 integrity hash (no git, file or plain-http sources), and every
//    package with an install script is named in package.json "allowScripts", so a new
//    dependency cannot run code at install time unnoticed.
// 2. Security advisories: npm's bulk advisory endpoint for the runtime dependencies; a high
//    or critical advisory fails the audit. When the registry in use does not serve that
//    endpoint (some mirrors answer 405), the check is reported as skipped, not passed,
//    unless --require-advisories is given, which turns the skip into a failure.
// 3. Deprecations: a runtime dependency whose installed version its maintainers marked
//    deprecated fails the audit, because deprecation is how npm publishes "do not use".
//
// Written by hand because `npm audit` exits with an error where the advisory endpoint is
// missing, and `npm audit signatures` needs the sigstore CDN, which CI machines may not reach.
import { readFileSync } from "node:fs";

const REGISTRY = (process.env["npm_config_registry"] ?? "https://registry.npmjs.org/").replace(/\/?$/, "/");
const BLOCKING_SEVERITIES = new Set(["high", "critical"]);
const requireAdvisories = process.argv.includes("--require-advisories");

const lock = JSON.parse(readFileSync("package-lock.json", "utf8"));
const manifest = JSON.parse(readFileSync("package.json", "utf8"));
const allowScripts = new Set(Object.keys(manifest.allowScripts ?? {}));

const packages = Object.entries(lock.packages)
  .filter(([path]) => path !== "")
  .map(([path, entry]) => ({ name: entry.name ?? path.slice(path.lastIndexOf("node_modules/") + "node_modules/".length), path, ...entry }));
const runtime = packages.filter((pkg) => pkg.dev !== true && pkg.link !== true);

const failures = [];

// 1. Lock file policy.
for (const pkg of packages) {
  if (pkg.link === true) continue;
  // npm leaves "resolved" out for registry tarballs when omit-lockfile-registry-resolved is set.
  if (pkg.resolved !== undefined && !pkg.resolved.startsWith("https://registry.npmjs.org/")) {
    failures.push(`${pkg.path}: resolved from ${pkg.resolved}, not from https://registry.npmjs.org/; install it from the registry`);
  }
  if (typeof pkg.integrity !== "string" || !pkg.integrity.startsWith("sha512-")) {
    failures.push(`${pkg.path}: no sha512 integrity hash in package-lock.json; regenerate the lock file with npm install`);
  }
  if (pkg.hasInstallScript === true && !allowScripts.has(pkg.name)) {
    failures.push(`${pkg.path}: has an install script but is not listed in package.json "allowScripts"; review the script, then list it`);
  }
}
console.log(`lock file policy: ${packages.length} packages checked, ${failures.length} problems`);

// 2. Security advisories of the runtime dependencies.
const versionsByName = {};
for (const pkg of runtime) (versionsByName[pkg.name] ??= []).push(pkg.version);
try {
  const response = await fetch(`${REGISTRY}-/npm/v1/security/advisories/bulk`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(versionsByName),
    signal: AbortSignal.timeout(60_000),
  });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  const advisories = await response.json();
  let count = 0;
  for (const [name, list] of Object.entries(advisories)) {
    for (const advisory of list) {
      count++;
      const line = `${name}: ${advisory.severity} advisory ${advisory.url ?? advisory.id}: ${advisory.title} (vulnerable ${advisory.vulnerable_versions})`;
      if (BLOCKING_SEVERITIES.has(advisory.severity)) failures.push(`${line}; upgrade past the vulnerable range`);
      else console.log(`note: ${line}`);
    }
  }
  console.log(`security advisories: ${Object.keys(versionsByName).length} runtime packages checked, ${count} advisories`);
} catch (error) {
  const message = `security advisories: SKIPPED, the advisory endpoint of ${REGISTRY} did not answer (${error.message})`;
  if (requireAdvisories) failures.push(`${message}; run against a registry that serves advisories`);
  else console.log(message);
}

// 3. Deprecated versions of the runtime dependencies.
let deprecatedChecked = 0;
const queue = [...runtime];
async function checkNext() {
  for (let pkg = queue.shift(); pkg !== undefined; pkg = queue.shift()) {
    const url = `${REGISTRY}${pkg.name.replace("/", "%2f")}`;
    try {
      const response = await fetch(url, { headers: { accept: "application/vnd.npm.install-v1+json" }, signal: AbortSignal.timeout(60_000) });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const document = await response.json();
      const deprecated = document.versions?.[pkg.version]?.deprecated;
      if (typeof deprecated === "string" && deprecated !== "") failures.push(`${pkg.path}@${pkg.version} is deprecated: ${deprecated}`);
      deprecatedChecked++;
    } catch (error) {
      failures.push(`${pkg.name}: registry metadata could not be read from ${url} (${error.message}); check the network and retry`);
    }
  }
}
await Promise.all(Array.from({ length: 8 }, checkNext));
console.log(`deprecations: ${deprecatedChecked} runtime packages checked`);

if (failures.length > 0) {
  for (const failure of failures) console.error(`FAIL ${failure}`);
  process.exit(1);
}
console.log("dependency audit passed");
