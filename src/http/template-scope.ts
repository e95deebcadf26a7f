/**
 * The names a compiled EJS template may read from its locals, found by scanning the template's
 * generated JavaScript, so the view engine can bind them once per render as plain variables instead
 * of running the whole template inside `with (locals)`. Under `with` every name the template uses
 * (its locals, its own constants, EJS's `__append` and `escapeFn`, globals) is looked up on the
 * locals object and its prototype chain first, a dynamic lookup V8 cannot optimize (view-engine.ts
 * gives the measured saving).
 *
 * The scan is a tokenizer, not a parser: it skips strings, comments, template-literal text and
 * regular expressions, and collects every other identifier that is not a property name (after `.`).
 * Taking too many is harmless (an extra name is bound to `undefined` when the locals lack it, which
 * `typeof name !== 'undefined'` reads as before). Left out are JavaScript's keywords, the globals
 * (a template that calls `JSON` or `encodeURIComponent` gets the real one), EJS's own names, and the
 * names the template declares at its top level: binding those too would declare them twice. So a
 * local named like a global the template uses (`crypto`, `performance`, `process`) would be hidden
 * by the global; the view engine refuses to render a template given such a local.
 */

const KEYWORDS = new Set(
  (
    "break case catch class const continue debugger default delete do else export extends false finally for function " +
    "if import in instanceof let new null of return super switch this throw true try typeof var void while with yield " +
    "async await static get set undefined arguments eval"
  ).split(" "),
);

/** The parameters and internals of a function EJS compiles with `client: true`. */
const EJS_NAMES = new Set(["locals", "escapeFn", "include", "rethrow"]);

const IDENTIFIER_START = /[A-Za-z_$]/;
const IDENTIFIER_PART = /[A-Za-z0-9_$]/;

/** After one of these tokens a `/` starts a regular expression, not a division. */
const BEFORE_REGEX = new Set(["", "(", ",", "=", ":", "[", "!", "&", "|", "?", "{", "}", ";", "+", "-", "*", "%", "<", ">", "~", "^", "return", "typeof"]);

type Declaration = { part: "names" | "initializer"; depth: number } | undefined;

class Scanner {
  private i = 0;
  /** Open `(`, `[` and `{` (and `${`) around the current position. */
  private depth = 0;
  /** The depth at each `${` of the template literals being scanned. */
  private readonly substitutions: number[] = [];
  private previous = "";
  /** The top-level `const`/`let`/`var` statement being scanned, and whether in its names or an initializer. */
  private declaration: Declaration;
  /** Set after a top-level `function` or `class`: the next name is declared. */
  private declaresNext = false;
  readonly used = new Set<string>();
  readonly declared = new Set<string>();

  constructor(private readonly src: string) {}

  scan(): void {
    const src = this.src;
    while (this.i < src.length) {
      const c = src[this.i]!;
      const next = src[this.i + 1];
      if (c === "/" && next === "/") this.skipPast("\n");
      else if (c === "/" && next === "*") this.skipPast("*/");
      else if (c === '"' || c === "'") this.skipString(c);
      else if (c === "`") {
        this.i++;
        this.skipTemplateText();
      } else if (c === "}" && this.substitutions.at(-1) === this.depth) {
        this.substitutions.pop();
        this.depth--;
        this.i++;
        this.skipTemplateText();
      } else if (c === "/" && BEFORE_REGEX.has(this.previous)) this.skipRegex();
      else if (IDENTIFIER_START.test(c)) this.identifier();
      else if (/\s/.test(c)) this.i++;
      else this.punctuation(c);
    }
  }

  private identifier(): void {
    const start = this.i;
    while (this.i < this.src.length && IDENTIFIER_PART.test(this.src[this.i]!)) this.i++;
    const name = this.src.slice(start, this.i);
    const isProperty = this.previous === ".";
    if (!isProperty && this.depth === 0 && (name === "const" || name === "let" || name === "var")) {
      this.declaration = { part: "names", depth: 0 };
    } else if (!isProperty && this.depth === 0 && (name === "function" || name === "class")) {
      this.declaresNext = true;
    } else if (!isProperty && !KEYWORDS.has(name)) {
      if (this.declaresNext || this.declaration?.part === "names") this.declared.add(name);
      this.declaresNext = false;
      this.used.add(name);
    }
    this.previous = name;
  }

  private punctuation(c: string): void {
    if (c === "." && this.src.startsWith("...", this.i)) {
      this.i += 3;
      this.previous = "...";
      return;
    }
    if (c === "(" || c === "[" || c === "{") this.depth++;
    else if (c === ")" || c === "]" || c === "}") this.depth--;
    // `const { a, b } = x, c = y;` declares a, b and c: the names end at an `=` of the statement's
    // own depth, and a `,` there starts the next declarator. A `;` ends the statement (EJS starts
    // every generated line with one).
    const declaration = this.declaration;
    if (declaration && this.depth === declaration.depth) {
      if (c === "=" && this.src[this.i + 1] !== "=") declaration.part = "initializer";
      else if (c === ",") declaration.part = "names";
    }
    if (c === ";") this.declaration = undefined;
    this.i++;
    this.previous = c;
  }

  private skipPast(end: string): void {
    const at = this.src.indexOf(end, this.i + 2);
    this.i = at === -1 ? this.src.length : at + end.length;
  }

  private skipString(quote: string): void {
    this.i++;
    while (this.i < this.src.length && this.src[this.i] !== quote) this.i += this.src[this.i] === "\\" ? 2 : 1;
    this.i++;
    this.previous = "string";
  }

  /** Skips a template literal's text up to its end or its next `${`, which the main loop then scans. */
  private skipTemplateText(): void {
    while (this.i < this.src.length) {
      const c = this.src[this.i];
      if (c === "\\") this.i += 2;
      else if (c === "`") {
        this.i++;
        this.previous = "string";
        return;
      } else if (c === "$" && this.src[this.i + 1] === "{") {
        this.i += 2;
        this.depth++;
        this.substitutions.push(this.depth);
        this.previous = "{";
        return;
      } else this.i++;
    }
  }

  private skipRegex(): void {
    this.i++;
    let inClass = false;
    while (this.i < this.src.length) {
      const c = this.src[this.i];
      if (c === "\\") this.i++;
      else if (c === "[") inClass = true;
      else if (c === "]") inClass = false;
      else if (c === "/" && !inClass) break;
      this.i++;
    }
    this.i++;
    while (this.i < this.src.length && /[a-z]/.test(this.src[this.i]!)) this.i++;
    this.previous = "regex";
  }
}

/** What a generated template body reads: the names to bind from its locals, and the globals it uses, each sorted. */
export function templateScope(source: string): { locals: string[]; globals: string[] } {
  const scanner = new Scanner(source);
  scanner.scan();
  const free = [...scanner.used].filter((name) => !name.startsWith("__") && !EJS_NAMES.has(name) && !scanner.declared.has(name)).sort();
  return { locals: free.filter((name) => !(name in globalThis)), globals: free.filter((name) => name in globalThis) };
}
