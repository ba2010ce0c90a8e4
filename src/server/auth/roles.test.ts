import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { effectiveRoles, isGrantableRole, rolesAllow, ROUTE_ACCESS_LEVELS, ROLES, type Role, type RouteAccess } from "../../privacy/roles.js";
import { BACKENDS, openTestStore, type TestStore } from "../../store/test-support/backends.js";
import { testIdentity } from "../test-support/app.js";
import { LoginLimiter } from "./login-limiter.js";

describe("rolesAllow", () => {
  const expected: Record<RouteAccess, readonly Role[]> = {
    public: ROLES,
    webhook: ROLES,
    person: ROLES,
    "person-or-admin": ROLES,
    manager: ["admin", "manager"],
    auditor: ["admin", "auditor"],
    admin: ["admin"],
  };

  for (const access of ROUTE_ACCESS_LEVELS) {
    it(`access ${access}`, () => {
      const allowed = ROLES.filter((role) => rolesAllow(access, effectiveRoles([role])));
      // effectiveRoles adds "member", so a grant passes whatever a member passes.
      const members = rolesAllow(access, ["member"]);
      expect(allowed).toEqual(members ? ROLES : expected[access]);
    });
  }

  it("ignores unknown stored roles", () => {
    expect(effectiveRoles(["owner", "auditor", "ADMIN"])).toEqual(["member", "auditor"]);
    expect(isGrantableRole("member")).toBe(false);
    expect(isGrantableRole("manager")).toBe(true);
  });
});

describe.each(BACKENDS)("role repository on %s", (backend) => {
  let handle: TestStore;

  beforeEach(async () => {
    handle = await openTestStore(backend);
  });

  afterEach(async () => {
    await handle.dispose();
  });

  it("grants, lists and revokes", async () => {
    const { store } = handle;
    const ada = (await store.people.resolve(testIdentity("ada@example.com"))).personId;
    const bob = (await store.people.resolve(testIdentity("bob@example.com"))).personId;
    expect(await store.roles.rolesOf(ada)).toEqual(["member"]);

    expect(await store.roles.grant(ada, "auditor")).toBe(true);
    expect(await store.roles.grant(ada, "auditor")).toBe(false);
    expect(await store.roles.grant(ada, "admin")).toBe(true);
    expect(await store.roles.grant(bob, "manager")).toBe(true);
    expect(await store.roles.rolesOf(ada)).toEqual(["member", "admin", "auditor"]);
    expect(await store.roles.list()).toEqual([
      { personId: ada, roles: ["admin", "auditor"] },
      { personId: bob, roles: ["manager"] },
    ]);

    expect(await store.roles.revoke(ada, "admin")).toBe(true);
    expect(await store.roles.revoke(ada, "admin")).toBe(false);
    expect(await store.roles.rolesOf(ada)).toEqual(["member", "auditor"]);
  });

  it("team manager gets the manager role", async () => {
    const { store } = handle;
    const cleo = (await store.people.resolve(testIdentity("cleo@example.com"))).personId;
    expect(await store.roles.rolesOf(cleo)).toEqual(["member"]);

    const team = await store.teams.create({ name: "platform", managerPersonId: cleo, aiMode: "feedback" });
    expect(await store.roles.rolesOf(cleo)).toEqual(["member", "manager"]);

    await store.teams.setManager(team.id, null);
    expect(await store.roles.rolesOf(cleo)).toEqual(["member"]);
  });

  it("rejects a grant to an unknown person", async () => {
    await expect(handle.store.roles.grant(424_242, "admin")).rejects.toMatchObject({ code: "NOT_FOUND", message: "person 424242 not found" });
  });
});

describe("LoginLimiter", () => {
  const options = { maxFailures: 3, windowSeconds: 60, maxAddresses: 2 };

  it("blocks at the limit until the window ends", () => {
    const limiter = new LoginLimiter(options);
    for (let i = 0; i < 2; i++) limiter.recordFailure("a", 1000);
    expect(limiter.blockedFor("a", 1000)).toBeUndefined();
    limiter.recordFailure("a", 1000);
    expect(limiter.blockedFor("a", 1000)).toBe(60);
    expect(limiter.blockedFor("a", 60_500)).toBe(1);
    expect(limiter.blockedFor("a", 61_000)).toBeUndefined();
  });

  it("keeps at most maxAddresses", () => {
    const limiter = new LoginLimiter(options);
    limiter.recordFailure("a", 0);
    limiter.recordFailure("b", 1);
    limiter.recordFailure("c", 2);
    expect(limiter.size).toBe(2);
    for (let i = 0; i < 3; i++) limiter.recordFailure("c", 3);
    expect(limiter.blockedFor("c", 3)).toBe(60);
  });

  it("rejects invalid limits", () => {
    expect(() => new LoginLimiter({ maxFailures: 0, windowSeconds: 60, maxAddresses: 1 })).toThrow("invalid login limit");
  });
});
