import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { viewHelpers } from "../../src/http/locals";
import { renderEjsView } from "../../src/http/view-engine";

const VIEWS = path.resolve(__dirname, "../../views");
const PARTIALS = path.join(VIEWS, "partials");

/** Every page template (mail templates aside), as [path under views/, source]. */
function pageTemplates(): [string, string][] {
  return (fs.readdirSync(VIEWS, { recursive: true }) as string[])
    .filter((f) => f.endsWith(".ejs") && !f.startsWith(`emails${path.sep}`))
    .map((f) => [f, fs.readFileSync(path.join(VIEWS, f), "utf8")]);
}

/** Renders one partial as a page would include it: the view helpers, no errors or values unless given. */
function render(name: string, locals: Record<string, unknown>): string {
  let html = "";
  renderEjsView(path.join(PARTIALS, `${name}.ejs`), { ...viewHelpers, errors: {}, values: {}, ...locals }, (err, out) => {
    if (err) throw err;
    html = out!;
  });
  return html;
}

describe("the shared partials", () => {
  it("time: the exact instant in datetime, the full time as a tooltip, and no white space around it", () => {
    const date = new Date("2026-11-25T09:05:00Z");
    assert.equal(render("time", { date }), '<time datetime="2026-11-25T09:05:00.000Z" title="25 Nov 2026, 09:05 UTC">25 Nov 2026</time>');
    assert.match(render("time", { date, format: "datetime" }), />25 Nov 2026, 09:05 UTC<\/time>$/);
    assert.match(render("time", { date: new Date(Date.now() - 3 * 60_000), format: "ago" }), />3 minutes ago<\/time>$/);
  });

  it("select: label, options and the chosen value, with the error beside it and the typed value kept", () => {
    const options = [["member", "Member"], ["admin", "Admin"]];
    const fresh = render("select", { name: "role", label: "Role", options });
    assert.match(fresh, /<label for="field-role">Role<\/label>/);
    assert.match(fresh, /<select id="field-role" name="role">/);
    assert.doesNotMatch(fresh, /selected|aria-invalid/);

    const refused = render("select", { name: "role", label: "Role", options, values: { role: "admin" }, errors: { role: "Choose a role." } });
    assert.match(refused, /<div class="field field--invalid">/);
    assert.match(refused, /<select id="field-role" name="role" aria-describedby="field-role-error" aria-invalid="true">/);
    assert.match(refused, /<option value="admin" selected>Admin<\/option>/);
    assert.match(refused, /<p class="field__error" id="field-role-error">Choose a role\.<\/p>/);
  });

  it("select, compact: no field wrapper, a label for screen readers, the given id and value", () => {
    const html = render("select", { name: "role", id: "role-7", label: "Role of <nina>", compact: true, value: "member", options: [["member", "Member"]] });
    assert.doesNotMatch(html, /class="field/);
    assert.match(html, /<label for="role-7" class="visually-hidden">Role of &lt;nina&gt;<\/label>/);
    assert.match(html, /<option value="member" selected>Member<\/option>/);
  });

  it("org avatar: the first letter of the name, a whole character even outside the BMP", () => {
    assert.equal(render("org-avatar", { org: { name: "acme" } }), '<span class="org-avatar" aria-hidden="true">A</span>\n');
    assert.match(render("org-avatar", { org: { name: "𝔸cme" }, size: "lg" }), /class="org-avatar org-avatar--lg" aria-hidden="true">𝔸</);
  });

  it("role badge and avatar: the role's label and class, the person's initials", () => {
    assert.equal(render("role-badge", { role: "admin" }), '<span class="badge badge--success">Admin</span>');
    assert.match(render("avatar", { avatar: viewHelpers.initialsAvatar({ username: "grace-h", display_name: "Grace Hopper" }), size: "sm" }), /avatar--sm[^>]*>\s*<span class="avatar__initials">GH<\/span>/);
  });

  it("every page writes times through the time partial and role badges through the role-badge partial", () => {
    for (const [file, source] of pageTemplates()) {
      if (file !== path.join("partials", "time.ejs")) {
        assert.doesNotMatch(source, /<time[\s>]/, `${file} writes its own <time>`);
        assert.doesNotMatch(source, /formatDate(Time)?\(/, `${file} formats a date itself`);
      }
      if (file !== path.join("partials", "role-badge.ejs")) assert.doesNotMatch(source, /class="badge[^"]*"><%= [\w.]*role %>/, `${file} makes its own role badge`);
    }
  });
});
