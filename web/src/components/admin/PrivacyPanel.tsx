import { useState, type SyntheticEvent } from "react";
import { api } from "../../api.js";
import { errorText, LoadFailed, Loading, useApiGet } from "./common.js";

type AiMode = "off" | "feedback" | "automatic";
const AI_MODES: readonly AiMode[] = ["off", "feedback", "automatic"];
const CALENDAR_TITLE_MODES = ["full", "issue-keys", "none"] as const;

export interface PrivacySettings {
  minGroupSize: number;
  retention: Record<string, number | null>;
  /** The collection policy as stored: a section of field switches per source, plus repositories and metadataOnly. */
  collection: Record<string, unknown>;
  aiModes: { teamId: number; teamName: string; mode: AiMode }[];
  autoAcceptThreshold: number;
}

const SOURCE_NAMES: Record<string, string> = {
  jira: "Jira",
  calendar: "Calendar",
  git: "Git",
  github: "GitHub",
  gitlab: "GitLab",
  ide: "WakaTime (IDE)",
  activitywatch: "ActivityWatch",
};

const CLASS_NAMES: Record<string, string> = {
  raw_events: "Raw events",
  derived: "Derived data",
  suggestions: "Suggestions and reviews",
  worklogs: "Worklogs",
  audit: "Audit log",
};

/** "lineCounts" → "line counts", "worklogComments" → "worklog comments". */
function words(name: string): string {
  return name.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase();
}

function isSection(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

interface Draft {
  minGroupSize: string;
  retention: Record<string, string>;
  collection: Record<string, unknown>;
  repositories: string;
  aiModes: PrivacySettings["aiModes"];
  autoAcceptThreshold: string;
}

function draftOf(settings: PrivacySettings): Draft {
  const repositories = settings.collection["repositories"];
  return {
    minGroupSize: String(settings.minGroupSize),
    retention: Object.fromEntries(Object.entries(settings.retention).map(([name, days]) => [name, days === null ? "" : String(days)])),
    collection: structuredClone(settings.collection),
    repositories: Array.isArray(repositories) ? repositories.map(String).join("\n") : "",
    aiModes: settings.aiModes.map((entry) => ({ ...entry })),
    autoAcceptThreshold: String(settings.autoAcceptThreshold),
  };
}

/**
 * Turns the form back into settings. Returns the problems instead when a field cannot be
 * read, each naming the field and what to type; the server checks the ranges again.
 */
function settingsOf(draft: Draft): { settings: PrivacySettings } | { problems: string[] } {
  const problems: string[] = [];
  const minGroupSize = Number(draft.minGroupSize);
  if (!/^\d+$/.test(draft.minGroupSize.trim()) || minGroupSize < 1) problems.push("Minimum group size: enter a whole number of people, 1 or more.");
  const retention: Record<string, number | null> = {};
  for (const [name, text] of Object.entries(draft.retention)) {
    const trimmed = text.trim();
    if (trimmed === "") retention[name] = null;
    else if (/^\d+$/.test(trimmed) && Number(trimmed) >= 1) retention[name] = Number(trimmed);
    else problems.push(`Retention of ${CLASS_NAMES[name] ?? name}: enter whole days, 1 or more, or leave it empty to keep forever.`);
  }
  const threshold = Number(draft.autoAcceptThreshold);
  if (draft.autoAcceptThreshold.trim() === "" || !Number.isFinite(threshold) || threshold < 0 || threshold > 1) {
    problems.push("Auto-accept threshold: enter a confidence from 0 to 1, such as 0.8.");
  }
  if (problems.length > 0) return { problems };
  const repositories = draft.repositories
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "");
  return {
    settings: {
      minGroupSize,
      retention,
      collection: { ...draft.collection, repositories: repositories.length === 0 ? null : repositories },
      aiModes: draft.aiModes,
      autoAcceptThreshold: threshold,
    },
  };
}

/** Only the settings that differ from what the server sent, so an unchanged setting gets no audit entry. */
function changes(before: PrivacySettings, after: PrivacySettings): Partial<PrivacySettings> {
  const body: Partial<PrivacySettings> = {};
  if (before.minGroupSize !== after.minGroupSize) body.minGroupSize = after.minGroupSize;
  if (JSON.stringify(before.retention) !== JSON.stringify(after.retention)) body.retention = after.retention;
  if (JSON.stringify(before.collection) !== JSON.stringify(after.collection)) body.collection = after.collection;
  if (JSON.stringify(before.aiModes) !== JSON.stringify(after.aiModes)) body.aiModes = after.aiModes;
  if (before.autoAcceptThreshold !== after.autoAcceptThreshold) body.autoAcceptThreshold = after.autoAcceptThreshold;
  return body;
}

export function PrivacyPanel({ readOnly }: { readOnly: boolean }) {
  const load = useApiGet<{ data: PrivacySettings }>("/settings/privacy");
  return (
    <section aria-labelledby="privacy-title">
      <div className="admin-head">
        <h2 id="privacy-title">Privacy</h2>
        {readOnly && <span className="admin-badge">read only</span>}
      </div>
      {load.state === "loading" && <Loading what="privacy settings" />}
      {load.state === "failed" && <LoadFailed what="privacy settings" message={load.message} />}
      {load.state === "ready" && <PrivacyForm initial={load.data.data} readOnly={readOnly} />}
    </section>
  );
}

function PrivacyForm({ initial, readOnly }: { initial: PrivacySettings; readOnly: boolean }) {
  const [saved, setSaved] = useState(initial);
  const [draft, setDraft] = useState(() => draftOf(initial));
  const [problems, setProblems] = useState<string[]>([]);
  const [note, setNote] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);

  const setSwitch = (section: string, field: string, value: unknown) => {
    setDraft((current) => {
      const old = current.collection[section];
      return { ...current, collection: { ...current.collection, [section]: { ...(isSection(old) ? old : {}), [field]: value } } };
    });
  };

  const submit = async (event: SyntheticEvent) => {
    event.preventDefault();
    setNote(null);
    const parsed = settingsOf(draft);
    if ("problems" in parsed) {
      setProblems(parsed.problems);
      return;
    }
    const body = changes(saved, parsed.settings);
    if (Object.keys(body).length === 0) {
      setProblems([]);
      setNote("Nothing changed.");
      return;
    }
    setSaving(true);
    try {
      const response = await api.put<{ data: PrivacySettings }>("/settings/privacy", body);
      setSaved(response.data);
      setDraft(draftOf(response.data));
      setProblems([]);
      setNote(`Saved: ${Object.keys(body).map(words).join(", ")}.`);
    } catch (error: unknown) {
      setProblems([errorText(error)]);
    } finally {
      setSaving(false);
    }
  };

  const sections = Object.entries(draft.collection).filter((entry): entry is [string, Record<string, unknown>] => isSection(entry[1]));
  const metadataOnly = draft.collection["metadataOnly"] === true;

  return (
    <form className="admin-form" onSubmit={(event) => void submit(event)} noValidate>
      <fieldset disabled={readOnly || saving}>
        <div className="admin-grid">
          <fieldset>
            <legend>Aggregates</legend>
            <label className="admin-field">
              Minimum group size
              <input type="number" min={1} step={1} value={draft.minGroupSize} onChange={(event) => { setDraft({ ...draft, minGroupSize: event.target.value }); }} />
              <span className="field-help">Team numbers are shown only for at least this many people.</span>
            </label>
            <label className="admin-field">
              Auto-accept threshold
              <input type="number" min={0} max={1} step={0.01} value={draft.autoAcceptThreshold} onChange={(event) => { setDraft({ ...draft, autoAcceptThreshold: event.target.value }); }} />
              <span className="field-help">Confidence from 0 to 1 above which teams in automatic mode have suggestions accepted for them.</span>
            </label>
          </fieldset>

          <fieldset>
            <legend>Retention (days; empty keeps forever)</legend>
            {Object.entries(draft.retention).map(([name, days]) => (
              <label className="admin-field admin-field-row" key={name}>
                {CLASS_NAMES[name] ?? name}
                <input
                  type="number"
                  min={1}
                  step={1}
                  value={days}
                  placeholder="forever"
                  onChange={(event) => { setDraft({ ...draft, retention: { ...draft.retention, [name]: event.target.value } }); }}
                />
              </label>
            ))}
          </fieldset>

          <fieldset>
            <legend>AI mode per team</legend>
            {draft.aiModes.length === 0 && <p className="admin-note">There are no teams yet.</p>}
            {draft.aiModes.map((entry, index) => (
              <label className="admin-field admin-field-row" key={entry.teamId}>
                {entry.teamName}
                <select
                  value={entry.mode}
                  onChange={(event) => {
                    const mode = AI_MODES.find((m) => m === event.target.value) ?? entry.mode;
                    setDraft({ ...draft, aiModes: draft.aiModes.map((other, i) => (i === index ? { ...other, mode } : other)) });
                  }}
                >
                  {AI_MODES.map((mode) => (
                    <option key={mode} value={mode}>
                      {mode}
                    </option>
                  ))}
                </select>
              </label>
            ))}
          </fieldset>
        </div>

        <fieldset className="admin-collection">
          <legend>Collected fields per source</legend>
          <div className="admin-sources">
            {sections.map(([section, fields]) => (
              <fieldset key={section}>
                <legend>{SOURCE_NAMES[section] ?? section}</legend>
                {Object.entries(fields).map(([field, value]) =>
                  typeof value === "boolean" ? (
                    <label className="admin-check" key={field}>
                      <input type="checkbox" checked={value} onChange={(event) => { setSwitch(section, field, event.target.checked); }} />
                      {words(field)}
                    </label>
                  ) : (
                    <label className="admin-field" key={field}>
                      {words(field)}
                      {section === "calendar" && field === "title" ? (
                        <select value={String(value)} onChange={(event) => { setSwitch(section, field, event.target.value); }}>
                          {CALENDAR_TITLE_MODES.map((mode) => (
                            <option key={mode} value={mode}>
                              {mode}
                            </option>
                          ))}
                        </select>
                      ) : (
                        <input value={String(value)} onChange={(event) => { setSwitch(section, field, event.target.value); }} />
                      )}
                    </label>
                  ),
                )}
              </fieldset>
            ))}
          </div>
          <label className="admin-field">
            Repositories (one name or glob a line; empty collects every repository)
            <textarea rows={3} value={draft.repositories} onChange={(event) => { setDraft({ ...draft, repositories: event.target.value }); }} />
          </label>
          <label className="admin-check">
            <input
              type="checkbox"
              checked={metadataOnly}
              onChange={(event) => { setDraft({ ...draft, collection: { ...draft.collection, metadataOnly: event.target.checked } }); }}
            />
            Discard raw text once linking has used it (metadata only)
          </label>
        </fieldset>
      </fieldset>
      {problems.length > 0 && (
        <div role="alert" className="admin-error">
          {problems.map((problem) => (
            <p key={problem}>{problem}</p>
          ))}
        </div>
      )}
      {note !== null && (
        <p role="status" className="admin-ok">
          {note}
        </p>
      )}
      {!readOnly && (
        <button type="submit" className="primary" disabled={saving}>
          Save
        </button>
      )}
    </form>
  );
}
