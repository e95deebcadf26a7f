import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { MailDraft } from "../../src/emails/mail";
import { accessTokenCreatedMail } from "../../src/emails/access-token-created";
import { accountDeletedMail } from "../../src/emails/account-deleted";
import { confirmEmailMail } from "../../src/emails/confirm-email";
import { emailChangeConfirmMail } from "../../src/emails/email-change-confirm";
import { emailChangeNoticeMail } from "../../src/emails/email-change-notice";
import { emailChangeTakenMail } from "../../src/emails/email-change-taken";
import { identityChangedMail } from "../../src/emails/identity-changed";
import { joinRequestDecidedMail } from "../../src/emails/join-request-decided";
import { joinRequestReceivedMail } from "../../src/emails/join-request-received";
import { newSignInMail } from "../../src/emails/new-sign-in";
import { organizationInvitationMail } from "../../src/emails/organization-invitation";
import { organizationMemberJoinedMail } from "../../src/emails/organization-member-joined";
import { organizationDeletedMail } from "../../src/emails/organization-deleted";
import { organizationMembershipChangedMail } from "../../src/emails/organization-membership-changed";
import { passwordChangedMail } from "../../src/emails/password-changed";
import { passwordResetMail } from "../../src/emails/password-reset";
import { signupAttemptMail } from "../../src/emails/signup-attempt";

const BASE = "https://accounts.example.test/gatehouse";
const to = { userId: 1, to: "ana@example.test" };

/** Every mail the product sends, with the paths its links must lead to. */
const MAILS: [string, MailDraft, string[]][] = [
  ["access token created", accessTokenCreatedMail({ ...to, username: "ana", description: "laptop", how: "on the settings page", expiresOn: null, ip: null }), ["/settings/tokens"]],
  ["account deleted", accountDeletedMail({ ...to, username: "ana", ip: null }), ["/signup"]],
  ["confirm email", confirmEmailMail({ ...to, username: "ana", token: "tok123", hours: 24 }), ["/email/confirm/tok123"]],
  ["email change confirm", emailChangeConfirmMail({ ...to, username: "ana", token: "tok123", minutes: 60 }), ["/email/confirm/tok123"]],
  ["email change notice", emailChangeNoticeMail({ ...to, username: "ana", newEmail: "new@example.test", minutes: 60, ip: null }), ["/settings/account", "/password/forgot"]],
  ["email change taken", emailChangeTakenMail({ ...to, username: "ana" }), ["/password/forgot"]],
  ["identity changed", identityChangedMail({ ...to, username: "ana", action: "linked", providerLabel: "GitHub", providerUsername: "ana", ip: null }), ["/settings/identities", "/password/forgot"]],
  ["new sign-in", newSignInMail({ ...to, username: "ana", device: "Firefox on Linux", ip: null, at: "now" }), ["/settings/sessions", "/password/forgot"]],
  ["invitation", organizationInvitationMail({ userId: null, to: to.to, orgName: "Acme", inviter: "bea", role: "member", token: "inv456", days: 7 }), ["/invitations/inv456"]],
  ["member joined", organizationMemberJoinedMail({ ...to, recipient: "ana", orgName: "Acme", orgSlug: "acme", member: "bea", role: "member" }), ["/orgs/acme/members"]],
  ["member joined by domain", organizationMemberJoinedMail({ ...to, recipient: "ana", orgName: "Acme", orgSlug: "acme", member: "bea", role: "member", viaDomain: "acme.test" }), ["/orgs/acme/members"]],
  ["join request received", joinRequestReceivedMail({ ...to, recipient: "ana", orgName: "Acme", orgSlug: "acme", requester: "bea", email: "bea@acme.test" }), ["/orgs/acme/join-requests"]],
  ["join request approved", joinRequestDecidedMail({ ...to, recipient: "bea", orgName: "Acme", orgSlug: "acme", approved: true }), ["/orgs/acme"]],
  ["join request denied", joinRequestDecidedMail({ ...to, recipient: "bea", orgName: "Acme", orgSlug: "acme", approved: false }), []],
  ["membership changed", organizationMembershipChangedMail({ ...to, recipient: "ana", orgName: "Acme", orgSlug: "acme", actor: "bea", change: "role", role: "admin" }), ["/orgs/acme"]],
  ["organization deleted", organizationDeletedMail({ ...to, recipient: "ana", orgName: "Acme", orgSlug: "acme", actor: "bea" }), ["/settings/organizations"]],
  ["password changed", passwordChangedMail({ ...to, username: "ana", how: "changed", ip: null }), ["/password/forgot"]],
  ["password reset", passwordResetMail({ ...to, username: "ana", token: "tok123", minutes: 30 }), ["/password/reset/tok123"]],
  ["signup attempt", signupAttemptMail({ ...to, username: "ana" }), ["/login", "/password/forgot"]],
];

describe("links in every mail", () => {
  for (const [name, draft, paths] of MAILS) {
    it(`${name}: every link is built on the base URL it is rendered with`, () => {
      const mail = draft.render(BASE, draft.securityNotice ? { notMeUrl: "/not-me/code789" } : {});
      if (draft.securityNotice) paths.push("/not-me/code789");
      const hrefs = [...mail.html.matchAll(/href="([^"]+)"/g)].map((m) => m[1]!.replace(/&amp;/g, "&"));
      const texts: string[] = mail.text.match(/https?:\/\/[^\s<>"]+/g) ?? [];
      for (const link of [...hrefs, ...texts]) assert.ok(link === BASE || link.startsWith(`${BASE}/`), `${name} links to ${link}`);
      for (const path of paths) {
        assert.ok(texts.includes(`${BASE}${path}`), `${name}'s text links to ${path}: ${texts.join(", ")}`);
        assert.ok(hrefs.includes(`${BASE}${path}`), `${name}'s HTML links to ${path}: ${hrefs.join(", ")}`);
      }
    });
  }
});

describe("mail text", () => {
  it("shows names as typed in the text part, and escaped in the HTML part", () => {
    const mail = accessTokenCreatedMail({ ...to, username: "ana", description: `O'Brien's <laptop> & "CI"`, how: "on the settings page", expiresOn: null, ip: null }).render(BASE, { notMeUrl: "/not-me/x" });
    assert.ok(mail.text.includes(`O'Brien's <laptop> & "CI"`), mail.text);
    assert.ok(mail.html.includes("O&#39;Brien&#39;s &lt;laptop&gt; &amp; &#34;CI&#34;"), mail.html);
  });
});
