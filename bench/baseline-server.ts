import path from "node:path";
import express from "express";
import { announceReady, serveParent } from "./child";

/**
 * The bare baseline: Express 5 and EJS serving one page as large as the signed-in settings page,
 * with no database, no session and no other middleware, in its own process. What the app does on
 * top of this floor (session, user, CSRF, headers, logging) is what the ratio to it measures.
 * BENCH_PAGE_BYTES is the size to match; PORT the port on 127.0.0.1. Run with NODE_ENV=production
 * like the app, so templates are cached the same way.
 */
const app = express();
app.set("view engine", "ejs");
app.set("views", path.join(__dirname, "views"));
app.disable("x-powered-by");

const sections = ["Profile", "Account", "Password", "Sessions", "Identities", "Tokens", "Notifications", "Organizations"].map((label) => ({
  label,
  href: `/settings/${label.toLowerCase()}`,
}));

function locals(fieldCount: number) {
  const fields = Array.from({ length: fieldCount }, (_, i) => ({
    name: `field_${i}`,
    label: `Field ${i + 1}`,
    hint: "Plain text, up to 300 characters; shown to other people on your profile.",
    value: `Value <${i}> & "more"`,
  }));
  return { title: "Profile", user: { username: "bench-1", email: "bench-1@example.test" }, sections, fields };
}

function renderedBytes(fieldCount: number): Promise<number> {
  return new Promise((resolve, reject) =>
    app.render("bare-page", locals(fieldCount), (err, html) => (err ? reject(err) : resolve(Buffer.byteLength(html)))),
  );
}

/** The number of form fields that brings the page closest to `target` bytes. */
async function fieldsFor(target: number): Promise<number> {
  const base = await renderedBytes(0);
  const perField = ((await renderedBytes(10)) - base) / 10;
  return Math.max(0, Math.round((target - base) / perField));
}

async function main() {
  const target = Number(process.env.BENCH_PAGE_BYTES);
  if (!Number.isInteger(target) || target <= 0) throw new Error("BENCH_PAGE_BYTES must be the page size to match");
  const pageLocals = locals(await fieldsFor(target));
  app.get("/", (_req, res) => res.render("bare-page", pageLocals));
  const server = app.listen(Number(process.env.PORT), "127.0.0.1", () => announceReady());
  serveParent(async () => ({ bytes: await renderedBytes(pageLocals.fields.length) }));
  process.on("SIGTERM", () => {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
