import fs from "node:fs";
import path from "node:path";
import ejs from "ejs";
import { templateScope } from "./template-scope";

/**
 * EJS as the Express view engine, with include() resolved here instead of by EJS. EJS checks the
 * file system (fs.existsSync) for every include on every render, even with its cache on; a settings
 * page has a dozen includes, and those checks were 18% of its main-thread time.
 *
 * An include is found by its path alone, relative to the file that includes it, as EJS does (EJS
 * looks in the views directories only when it is given a list of them, which Express never passes).
 * With the view cache on (production) a file is read and compiled once per process
 * and later renders make no file-system call. With it off (development) each render reads and
 * compiles every file again, so an edited template shows at once. A missing include still fails the
 * render, with the including file and line in the message.
 */

type Locals = Record<string, unknown>;
type Render = (locals: Locals) => string;

const compiled = new Map<string, Render>();

function includePath(parent: string, name: string): string {
  const file = path.resolve(path.dirname(parent), name);
  return path.extname(name) ? file : `${file}.ejs`;
}

// Where each include of a file leads, by the name it was included with: resolving a path costs
// about as much as rendering a small partial, and a settings page has a dozen includes.
const resolvedIncludes = new Map<string, Map<string, string>>();

function cachedIncludePath(parent: string, name: string): string {
  let byName = resolvedIncludes.get(parent);
  if (!byName) resolvedIncludes.set(parent, (byName = new Map()));
  let file = byName.get(name);
  if (file === undefined) byName.set(name, (file = includePath(parent, name)));
  return file;
}

/**
 * Templates are compiled without EJS's default `with (locals)`: each one instead starts by binding
 * the locals it names to plain variables (template-scope.ts finds them), so every name in the
 * template is an ordinary variable instead of a lookup through the locals' prototype chain. Measured
 * side by side on the signed-in settings page (1,000 sessions, 10 connections, 10 rounds), the app
 * used about 6% less CPU per request and served about 7% more. `client: true` is the documented form
 * that takes the include function as an argument.
 */
const COMPILE = { client: true, _with: false } as const;

function scopeOf(source: string, file: string): ReturnType<typeof templateScope> {
  const template = new ejs.Template(source, { ...COMPILE, filename: file }) as ejs.Template & { generateSource(): void };
  template.generateSource();
  return templateScope(template.source);
}

/**
 * A template reads the globals it names even when its locals hold a value of that name: a mistake
 * that would show the wrong thing silently, so it fails the render instead.
 */
function refuseShadowedGlobals(file: string, globals: string[], locals: Locals): void {
  for (const name of globals) {
    if (name in locals) throw new Error(`${file}: the local "${name}" has the name of a global the template uses; rename the local`);
  }
}

function load(file: string, cache: boolean): Render {
  const hit = cache ? compiled.get(file) : undefined;
  if (hit) return hit;
  const source = fs.readFileSync(file, "utf8").replace(/^\uFEFF/, "");
  const scope = scopeOf(source, file);
  const fn = ejs.compile(source, { ...COMPILE, filename: file, destructuredLocals: scope.locals });
  // An include sees the including page's locals plus the ones passed to it, as in EJS, which copies
  // every local into a fresh object for each include. Here the include's object inherits from the
  // including page's instead and holds only what the include passes: reading a local finds the same
  // value (a property read follows the prototype chain), and a page with a dozen includes no longer
  // copies its 30-odd locals a dozen times per render.
  const resolve = cache ? cachedIncludePath : includePath;
  const render: Render = (locals) => {
    refuseShadowedGlobals(file, scope.globals, locals);
    return fn(locals, ejs.escapeXML, (name, data) => load(resolve(file, name), cache)(Object.assign(Object.create(locals) as Locals, data)));
  };
  if (cache) compiled.set(file, render);
  return render;
}

/** Express view engine for `.ejs` files: renders `file` with `options` (Express's render locals). */
export function renderEjsView(file: string, options: object, done: (err: unknown, html?: string) => void): void {
  let html: string;
  try {
    html = load(file, (options as { cache?: boolean }).cache === true)(options as Locals);
  } catch (err) {
    done(err);
    return;
  }
  done(null, html);
}
