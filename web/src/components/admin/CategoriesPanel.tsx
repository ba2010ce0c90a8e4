import { useId, useState } from "react";
import { api } from "../../api.js";
import { errorText, LoadFailed, Loading, useApiGet } from "./common.js";

const MATCH_KINDS = ["project", "epic", "issue_type", "label"] as const;
type MatchKind = (typeof MATCH_KINDS)[number];
const MATCH_KIND_NAMES: Record<MatchKind, string> = { project: "Project", epic: "Epic", issue_type: "Issue type", label: "Label" };

interface CategoryRule {
  matchKind: MatchKind;
  matchValue: string;
  category: string;
}

interface RuleSet {
  rules: CategoryRule[];
  categories: string[];
}

/** A rule being edited; `id` only keeps React's rows stable while rules move. */
interface DraftRule extends CategoryRule {
  id: number;
}

export function CategoriesPanel({ readOnly }: { readOnly: boolean }) {
  const load = useApiGet<{ data: RuleSet }>("/categories/rules");
  return (
    <section aria-labelledby="categories-title">
      <div className="admin-head">
        <h2 id="categories-title">Cost categories</h2>
        {readOnly && <span className="admin-badge">read only</span>}
      </div>
      <p className="admin-note">Rules are tried from the top; the first that matches an issue gives its cost category. Issues no rule matches are “Uncategorized”.</p>
      {load.state === "loading" && <Loading what="category rules" />}
      {load.state === "failed" && <LoadFailed what="category rules" message={load.message} />}
      {load.state === "ready" && <RulesForm initial={load.data.data} readOnly={readOnly} />}
    </section>
  );
}

function RulesForm({ initial, readOnly }: { initial: RuleSet; readOnly: boolean }) {
  const [nextId, setNextId] = useState(initial.rules.length);
  const [rules, setRules] = useState<DraftRule[]>(() => initial.rules.map((rule, index) => ({ ...rule, id: index })));
  const [categories, setCategories] = useState(initial.categories);
  const [problems, setProblems] = useState<string[]>([]);
  const [note, setNote] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const listId = useId();

  const change = (id: number, patch: Partial<CategoryRule>) => {
    setRules((current) => current.map((rule) => (rule.id === id ? { ...rule, ...patch } : rule)));
  };
  const move = (index: number, by: -1 | 1) => {
    setRules((current) => {
      const next = [...current];
      const [rule] = next.splice(index, 1);
      if (rule !== undefined) next.splice(index + by, 0, rule);
      return next;
    });
  };
  const add = () => {
    setRules((current) => [...current, { id: nextId, matchKind: "project", matchValue: "", category: "" }]);
    setNextId(nextId + 1);
  };

  const save = async () => {
    setNote(null);
    const found = rules.flatMap((rule, index) => [
      ...(rule.matchValue.trim() === "" ? [`Rule ${String(index + 1)}: enter the ${MATCH_KIND_NAMES[rule.matchKind].toLowerCase()} to match.`] : []),
      ...(rule.category.trim() === "" ? [`Rule ${String(index + 1)}: enter the cost category it gives.`] : []),
    ]);
    if (found.length > 0) {
      setProblems(found);
      return;
    }
    setSaving(true);
    try {
      const body = { rules: rules.map((rule) => ({ matchKind: rule.matchKind, matchValue: rule.matchValue.trim(), category: rule.category.trim() })) };
      const response = await api.put<{ data: RuleSet }>("/categories/rules", body);
      setRules(response.data.rules.map((rule, index) => ({ ...rule, id: nextId + index })));
      setNextId(nextId + response.data.rules.length);
      setCategories(response.data.categories);
      setProblems([]);
      setNote(`Saved ${String(response.data.rules.length)} rules.`);
    } catch (error: unknown) {
      setProblems([errorText(error)]);
    } finally {
      setSaving(false);
    }
  };

  return (
    <div className="admin-form">
      <datalist id={listId}>
        {categories.map((category) => (
          <option key={category} value={category} />
        ))}
      </datalist>
      <table className="admin-table" aria-label="Category rules">
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">Match</th>
            <th scope="col">Value</th>
            <th scope="col">Cost category</th>
            {!readOnly && (
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            )}
          </tr>
        </thead>
        <tbody>
          {rules.length === 0 && (
            <tr>
              <td colSpan={readOnly ? 4 : 5} className="admin-note">
                No rules yet: every issue is Uncategorized.
              </td>
            </tr>
          )}
          {rules.map((rule, index) => {
            const n = String(index + 1);
            return (
              <tr key={rule.id}>
                <td>{n}</td>
                <td>
                  <select
                    aria-label={`Match kind of rule ${n}`}
                    value={rule.matchKind}
                    disabled={readOnly}
                    onChange={(event) => { change(rule.id, { matchKind: MATCH_KINDS.find((kind) => kind === event.target.value) ?? rule.matchKind }); }}
                  >
                    {MATCH_KINDS.map((kind) => (
                      <option key={kind} value={kind}>
                        {MATCH_KIND_NAMES[kind]}
                      </option>
                    ))}
                  </select>
                </td>
                <td>
                  <input aria-label={`Value of rule ${n}`} value={rule.matchValue} readOnly={readOnly} onChange={(event) => { change(rule.id, { matchValue: event.target.value }); }} />
                </td>
                <td>
                  <input
                    aria-label={`Category of rule ${n}`}
                    list={listId}
                    value={rule.category}
                    readOnly={readOnly}
                    onChange={(event) => { change(rule.id, { category: event.target.value }); }}
                  />
                </td>
                {!readOnly && (
                  <td className="admin-row-actions">
                    <button type="button" aria-label={`Move rule ${n} up`} disabled={index === 0} onClick={() => { move(index, -1); }}>
                      ↑
                    </button>
                    <button type="button" aria-label={`Move rule ${n} down`} disabled={index === rules.length - 1} onClick={() => { move(index, 1); }}>
                      ↓
                    </button>
                    <button type="button" aria-label={`Remove rule ${n}`} onClick={() => { setRules(rules.filter((other) => other.id !== rule.id)); }}>
                      Remove
                    </button>
                  </td>
                )}
              </tr>
            );
          })}
        </tbody>
      </table>
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
        <div className="admin-actions">
          <button type="button" onClick={add} disabled={saving}>
            Add rule
          </button>
          <button type="button" className="primary" onClick={() => void save()} disabled={saving}>
            Save
          </button>
        </div>
      )}
    </div>
  );
}
