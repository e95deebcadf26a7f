import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, describe, it, mock } from "node:test";
import { useTestApp } from "../helpers/app";
import { buildUser, loginAs } from "../helpers/factories";
import { renderEjsView } from "../../src/http/view-engine";

/** Renders `file` through the view engine as Express would, with `cache` as the `view cache` setting. */
function render(file: string, locals: Record<string, unknown>, cache: boolean): string {
  let result: { err: unknown; html?: string } | undefined;
  renderEjsView(file, { ...locals, cache }, (err, html) => (result = { err, html }));
  assert.ok(result, "the engine answers synchronously");
  if (result.err) throw result.err;
  return result.html!;
}

/** Runs `fn` and returns the paths it passed to the synchronous fs calls a template lookup makes. */
async function fsCallsDuring(fn: () => Promise<unknown> | unknown): Promise<string[]> {
  const spies = (["existsSync", "statSync", "readFileSync"] as const).map((name) => mock.method(fs, name));
  try {
    await fn();
    return spies.flatMap((spy) => spy.mock.calls.map((call) => String(call.arguments[0])));
  } finally {
    for (const spy of spies) spy.mock.restore();
  }
}

describe("view engine", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gatehouse-views-"));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  };

  it("resolves includes from the including file and passes the page's locals plus the include's own", () => {
    write("area/page.ejs", "<%- include('../partials/greeting', { name: 'Ana' }) %>|<%= title %>");
    write("partials/greeting.ejs", "<%= title %>: hello <%= name %>, <%- include('mark.txt') %>");
    write("partials/mark.txt", "<b>!</b>");
    assert.equal(render(path.join(dir, "area/page.ejs"), { title: "<Home>" }, true), "&lt;Home&gt;: hello Ana, <b>!</b>|&lt;Home&gt;");
  });

  it("with the view cache off, reads an edited template at the next render", () => {
    write("live/page.ejs", "<%- include('part') %>");
    write("live/part.ejs", "before");
    assert.equal(render(path.join(dir, "live/page.ejs"), {}, false), "before");
    write("live/part.ejs", "after");
    assert.equal(render(path.join(dir, "live/page.ejs"), {}, false), "after");
  });

  it("with the view cache on, renders again without touching the file system", async () => {
    write("cached/page.ejs", "<%- include('part') %>");
    write("cached/part.ejs", "first");
    const file = path.join(dir, "cached/page.ejs");
    assert.equal(render(file, {}, true), "first");
    write("cached/part.ejs", "edited");
    let html = "";
    assert.deepEqual(await fsCallsDuring(() => (html = render(file, {}, true))), []);
    assert.equal(html, "first");
  });

  it("binds the locals a template names, leaving its own declarations, globals and text alone", () => {
    write(
      "scope/page.ejs",
      [
        "<% const shown = items.filter((i) => i.on).map((i) => i.name); %>",
        "<%= shown.join(',') %>",
        "<%= typeof missing === 'undefined' ? 'none' : missing %>",
        "<%= JSON.stringify({ title }) %>",
        "<%= 'title' + `-${suffix}-` + /title/.source %>",
        "<% function twice(x) { return x + x; } %><%= twice(count) %>",
        "<%- include('part', { count: count + 1 }) %>",
      ].join("|"),
    );
    write("scope/part.ejs", "<%= title %>:<%= count %>");
    const html = render(path.join(dir, "scope/page.ejs"), { items: [{ on: true, name: "a" }, { on: false, name: "b" }], title: "T", suffix: "s", count: 2 }, true);
    assert.equal(html, '|a|none|{&#34;title&#34;:&#34;T&#34;}|title-s-title|4|T:3');
  });

  it("fails a render given a local named like a global the template uses, instead of showing the global", () => {
    write("scope/shadow.ejs", "<%= String(count) %>");
    const file = path.join(dir, "scope/shadow.ejs");
    assert.equal(render(file, { count: 2 }, true), "2");
    assert.throws(() => render(file, { count: 2, String: "mine" }, true), /the local "String" has the name of a global/);
  });

  it("fails a render whose include is missing, naming the including file", () => {
    write("broken/page.ejs", "<%- include('nowhere') %>");
    assert.throws(() => render(path.join(dir, "broken/page.ejs"), {}, true), (err: Error) => err.message.includes("broken/page.ejs") && err.message.includes("ENOENT"));
  });
});

describe("view engine in the app", () => {
  const t = useTestApp();

  it("renders a settings page a second time with the view cache on without fs.existsSync or reading templates", async () => {
    // Express turns the view cache on only for NODE_ENV=production; the tests run with NODE_ENV=test.
    t.app.enable("view cache");
    try {
      const client = await loginAs(t.baseUrl, await buildUser());
      const first = await client.get("/settings/profile");
      assert.equal(first.status, 200);
      let second = first;
      const calls = await fsCallsDuring(async () => (second = await client.get("/settings/profile")));
      assert.equal(second.status, 200);
      assert.deepEqual(calls, []);
      assert.match(second.html, /<form/);
    } finally {
      t.app.disable("view cache");
    }
  });
});
