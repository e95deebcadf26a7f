import { ScimError } from "../../lib/errors";
import { corePath } from "./patch";

/**
 * The part of RFC 7644 §3.4.2.2 filters that identity providers send: equality tests joined by
 * `and`, where a test's attribute may carry one value filter on a multi-valued attribute:
 *
 *   userName eq "bjensen@example.com"
 *   externalId eq "00u1" and userName eq "a@b.c"
 *   emails[type eq "work"].value eq "a@b.c"
 *   members[value eq "42"]               (no comparison: "has such a member")
 *
 * Attribute names and the `eq`/`and` keywords are case-insensitive (RFC 7643 §2.1), and a name may
 * carry the core schema's URN (`urn:ietf:params:scim:schemas:core:2.0:User:userName`). Anything else
 * (other operators, `or`, `not`, grouping) is refused with 400 invalidFilter rather than guessed at,
 * so an IdP never acts on a result that answered a different question.
 */

/** One equality test: `path` lower-cased (e.g. "emails.value"), an optional `[sub eq value]` and the compared value. */
export interface FilterTest {
  path: string;
  where?: { attr: string; value: FilterValue };
  value: FilterValue;
}

/** A comparison value: a JSON string, boolean, number or null. */
export type FilterValue = string | number | boolean | null;

const invalid = (why: string) => new ScimError(400, `The filter is not supported: ${why}.`, "invalidFilter");

/** The tests of a filter, all of which must hold; throws 400 invalidFilter for anything outside the subset. */
export function parseScimFilter(filter: string): FilterTest[] {
  const lexer = new Lexer(filter);
  const tests: FilterTest[] = [];
  for (;;) {
    tests.push(parseTest(lexer));
    lexer.skipSpace();
    if (lexer.done()) return tests;
    if (lexer.word().toLowerCase() !== "and") throw invalid("only `and` joins tests");
  }
}

function parseTest(lexer: Lexer): FilterTest {
  lexer.skipSpace();
  const attr = corePath(lexer.name());
  let where: FilterTest["where"];
  let path = attr.toLowerCase();
  if (lexer.peek() === "[") {
    lexer.expect("[");
    lexer.skipSpace();
    const sub = lexer.name().toLowerCase();
    lexer.skipSpace();
    if (lexer.word().toLowerCase() !== "eq") throw invalid("only `eq` is supported");
    lexer.skipSpace();
    where = { attr: sub, value: lexer.value() };
    lexer.skipSpace();
    lexer.expect("]");
    if (lexer.peek() === ".") {
      lexer.expect(".");
      path = `${path}.${lexer.name().toLowerCase()}`;
    } else {
      // `members[value eq "42"]` on its own: a test that such an element exists.
      const save = lexer.pos;
      lexer.skipSpace();
      if (lexer.done() || lexer.lookWord().toLowerCase() === "and") {
        lexer.pos = save;
        return { path, where, value: null };
      }
    }
  }
  lexer.skipSpace();
  const op = lexer.word().toLowerCase();
  if (op !== "eq") throw invalid("only `eq` is supported");
  lexer.skipSpace();
  return { path, where, value: lexer.value() };
}

class Lexer {
  pos = 0;
  constructor(private readonly text: string) {
    if (text.length > 1000) throw invalid("it is too long");
  }

  done() {
    return this.pos >= this.text.length;
  }

  peek() {
    return this.text[this.pos];
  }

  skipSpace() {
    while (this.text[this.pos] === " ") this.pos++;
  }

  expect(ch: string) {
    if (this.text[this.pos] !== ch) throw invalid(`expected "${ch}"`);
    this.pos++;
  }

  /** An attribute name, possibly with a schema URN prefix and dotted sub-attribute. */
  name(): string {
    const m = /^[A-Za-z][A-Za-z0-9_$:.\-]*/.exec(this.text.slice(this.pos));
    if (!m) throw invalid("expected an attribute name");
    // A trailing "." belongs to `].value`, never to a name.
    const name = m[0].replace(/\.$/, "");
    this.pos += name.length;
    return name;
  }

  word(): string {
    const m = /^[A-Za-z]+/.exec(this.text.slice(this.pos));
    if (!m) throw invalid("expected an operator");
    this.pos += m[0].length;
    return m[0];
  }

  lookWord(): string {
    return /^[A-Za-z]+/.exec(this.text.slice(this.pos))?.[0] ?? "";
  }

  value(): FilterValue {
    const rest = this.text.slice(this.pos);
    const str = /^"(?:[^"\\]|\\.)*"/.exec(rest);
    const lit = str ? undefined : /^(true|false|null|-?\d+(?:\.\d+)?)(?![A-Za-z0-9])/i.exec(rest);
    const raw = str?.[0] ?? lit?.[0];
    if (!raw) throw invalid("expected a quoted string, a number, true, false or null");
    this.pos += raw.length;
    try {
      return JSON.parse(str ? raw : raw.toLowerCase()) as FilterValue;
    } catch {
      throw invalid("the string is not valid JSON");
    }
  }
}
