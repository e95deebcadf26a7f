import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { canAdministerSite, canCreateAdminToken, canUseAdminApi } from "../../src/policies/admin";

const now = new Date();
const ACCOUNTS = {
  "site admin": { is_site_admin: true, email_confirmed_at: now, suspended_at: null },
  "unconfirmed site admin": { is_site_admin: true, email_confirmed_at: null, suspended_at: null },
  "suspended site admin": { is_site_admin: true, email_confirmed_at: now, suspended_at: now },
  "normal user": { is_site_admin: false, email_confirmed_at: now, suspended_at: null },
  "nobody": undefined,
};

// account -> [admin pages, admin token creation, admin API with an admin token, admin API with an everyday token]
const TABLE: Record<keyof typeof ACCOUNTS, [boolean, boolean, boolean, boolean]> = {
  "site admin": [true, true, true, false],
  "unconfirmed site admin": [false, false, false, false],
  "suspended site admin": [false, false, false, false],
  "normal user": [false, false, false, false],
  "nobody": [false, false, false, false],
};

describe("admin policies", () => {
  for (const [who, expected] of Object.entries(TABLE) as [keyof typeof ACCOUNTS, [boolean, boolean, boolean, boolean]][]) {
    it(who, () => {
      const account = ACCOUNTS[who];
      assert.deepEqual(
        [canAdministerSite(account), canCreateAdminToken(account), canUseAdminApi(account, { admin: true }), canUseAdminApi(account, { admin: false })],
        expected,
      );
    });
  }
});
