import { Navigate, NavLink, Route, Routes } from "react-router-dom";
import { AuditPanel } from "../components/admin/AuditPanel.js";
import { CategoriesPanel } from "../components/admin/CategoriesPanel.js";
import { IntegrationsPanel } from "../components/admin/IntegrationsPanel.js";
import { ModelsPanel } from "../components/admin/ModelsPanel.js";
import { PrivacyPanel } from "../components/admin/PrivacyPanel.js";
import "../components/admin/admin.css";
import "../components/charts/charts.css";
import { hasRole, useSession } from "../session.js";

/**
 * Administration for the admin, and a read-only view for auditors. Auditors see only what
 * their role may read: the privacy settings, the models and the audit log; the server
 * enforces the same, so hiding the other tabs only saves them a 403.
 */
export function AdminPage() {
  const { session } = useSession();
  const admin = hasRole(session, "admin");
  if (!admin && !hasRole(session, "auditor")) return <Navigate to="/week" replace />;
  const tabs = [
    ...(admin ? [{ to: "/admin/integrations", name: "Integrations" }] : []),
    { to: "/admin/privacy", name: "Privacy" },
    ...(admin ? [{ to: "/admin/categories", name: "Categories" }] : []),
    { to: "/admin/models", name: "Models" },
    { to: "/admin/audit", name: "Audit log" },
  ];
  // Absolute paths: inside the "/admin/*" splat route, relative links would resolve against the whole current URL.
  const first = admin ? "/admin/integrations" : "/admin/privacy";
  return (
    <section className="admin">
      <h1>Admin</h1>
      <nav className="admin-tabs" aria-label="Admin">
        {tabs.map((tab) => (
          <NavLink key={tab.to} to={tab.to}>
            {tab.name}
          </NavLink>
        ))}
      </nav>
      <div className="admin-body">
        <Routes>
          <Route index element={<Navigate to={first} replace />} />
          {admin && <Route path="integrations" element={<IntegrationsPanel />} />}
          <Route path="privacy" element={<PrivacyPanel readOnly={!admin} />} />
          {admin && <Route path="categories" element={<CategoriesPanel readOnly={false} />} />}
          <Route path="models" element={<ModelsPanel readOnly={!admin} />} />
          <Route path="audit" element={<AuditPanel />} />
          <Route path="*" element={<Navigate to={first} replace />} />
        </Routes>
      </div>
    </section>
  );
}
