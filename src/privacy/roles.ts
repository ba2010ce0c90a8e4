/**
 * The role model: who may reach which kind of route. Pure, so the server, the CLI and
 * tests share one table.
 *
 * Every person is a member. The other roles are granted per person in `person_roles`.
 * The admin token is the admin principal, and a person granted "admin" acts as admin
 * under their own identity.
 */

/** Roles that can be granted to a person; "member" is implied and never stored. */
export const GRANTABLE_ROLES = ["admin", "manager", "auditor"] as const;

export type GrantableRole = (typeof GRANTABLE_ROLES)[number];

export type Role = GrantableRole | "member";

export const ROLES: readonly Role[] = ["member", ...GRANTABLE_ROLES];

/**
 * Access level of a route:
 * - "public": anyone, no credential.
 * - "webhook": a vendor, whose handler verifies the vendor's signature on the raw body.
 * - "person": a person with an API key; the handler scopes the data to that person.
 * - "person-or-admin": a person or the admin; the handler shows a member only their own data.
 * - "manager": a person with the manager role, or the admin; the handler checks that the
 *   manager manages the team the request names.
 * - "auditor": a person with the auditor role, or the admin.
 * - "admin": the admin token or a person with the admin role.
 */
export const ROUTE_ACCESS_LEVELS = ["public", "webhook", "person", "person-or-admin", "manager", "auditor", "admin"] as const;

export type RouteAccess = (typeof ROUTE_ACCESS_LEVELS)[number];

/** Roles that pass each access level that needs a credential. "public" and "webhook" need none. */
const ALLOWED_ROLES: Record<Exclude<RouteAccess, "public" | "webhook">, readonly Role[]> = {
  person: ROLES,
  "person-or-admin": ROLES,
  manager: ["manager", "admin"],
  auditor: ["auditor", "admin"],
  admin: ["admin"],
};

/** Returns true when a string names a role that can be granted. */
export function isGrantableRole(value: string): value is GrantableRole {
  return (GRANTABLE_ROLES as readonly string[]).includes(value);
}

/** Returns the roles of a person from their granted roles: always "member", then the grants in table order. */
export function effectiveRoles(granted: readonly string[]): Role[] {
  return ["member", ...GRANTABLE_ROLES.filter((role) => granted.includes(role))];
}

/** Returns true when a person with `roles` may call a route of `access` level. */
export function rolesAllow(access: RouteAccess, roles: readonly Role[]): boolean {
  if (access === "public" || access === "webhook") return true;
  return ALLOWED_ROLES[access].some((role) => roles.includes(role));
}
