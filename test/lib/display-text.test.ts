import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { cleanMultilineText, cleanName, isCleanName, nameSchema, NAME_CHARACTERS_MESSAGE } from "../../src/lib/display-text";

describe("the display-name character rule", () => {
  it("refuses control, line-break and bidi characters and allows every script, emoji and joiner", () => {
    const table: [string, boolean][] = [
      ["Ana Lima", true],
      ["José Ñúñez-O'Brien", true],
      ["محمد", true],
      ["山田 太郎", true],
      ["👩‍💻 Dev", true], // U+200D joins the emoji
      ["می‌خواهم", true], // U+200C, Persian zero-width non-joiner
      ["Ana\nLima", false],
      ["Ana\r\nBcc: x", false],
      ["tab\there", false],
      ["nul\u0000", false],
      ["del\u007f", false],
      ["c1\u0085", false],
      ["line\u2028sep", false],
      ["para\u2029sep", false],
      ["Acme\u202Egnp.exe", false],
      ["\u202Aembed", false],
      ["\u202Boverride", false],
      ["\u202Cpop", false],
      ["\u202Dltr", false],
      ["\u2066isolate\u2069", false],
      ["\u2067rli", false],
      ["\u2068fsi", false],
      ["admin\u200E", false],
      ["admin\u200F", false],
      ["admin\u061C", false],
    ];
    for (const [name, ok] of table) assert.equal(isCleanName(name), ok, JSON.stringify(name));
  });

  it("gives the form schema's messages and counts characters, not UTF-16 units", () => {
    const schema = nameSchema(5, "Enter a name.");
    assert.equal(schema.safeParse("  Ana ").data, "Ana");
    assert.equal(schema.safeParse("👩‍💻").success, true, "one emoji sequence of 3 code points");
    assert.equal(schema.safeParse("😀😀😀😀😀").success, true, "five emoji are five characters");
    assert.equal(schema.safeParse("abcdef").error?.issues[0]?.message, "Use at most 5 characters.");
    assert.equal(schema.safeParse("").error?.issues[0]?.message, "Enter a name.");
    assert.equal(schema.safeParse("a\u202Eb").error?.issues[0]?.message, NAME_CHARACTERS_MESSAGE);
    assert.equal(nameSchema(5).safeParse("").success, true, "optional when no message for empty is given");
  });

  it("cleans names it is given instead of refusing them", () => {
    assert.equal(cleanName("Evil\u202Egnp.exe"), "Evilgnp.exe");
    assert.equal(cleanName("Ana\r\nBcc: victim@example.test"), "Ana Bcc: victim@example.test");
    assert.equal(cleanName("  a\t\tb \u2066c\u2069  "), "a b c");
    assert.equal(cleanName("\u200E\u200F"), "");
    assert.equal(cleanName("👩‍💻 Dev"), "👩‍💻 Dev");
    assert.equal(cleanName("😀😀😀", 2), "😀😀", "cut by characters, never inside a surrogate pair");
    assert.equal(cleanMultilineText("line one\nline\u202E two\r\n\u0007"), "line one\nline two\r\n");
  });
});
