#!/usr/bin/env node
// Regenerates the Inputs/Outputs tables between <!-- BEGIN_TF_DOCS --> and
// <!-- END_TF_DOCS --> in the README.md of every modules/*/ and examples/*/ folder that
// holds .tf files, from the folder's own HCL. `--check` changes nothing and exits 1 when a
// README is out of date (or, for a module, has no markers). No terraform-docs binary: a
// small HCL scanner below reads `variable` and `output` blocks, which is all it needs.
//
//   node scripts/tfdocs.mjs [--check] [--root <dir>]

import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const BEGIN = "<!-- BEGIN_TF_DOCS -->";
export const END = "<!-- END_TF_DOCS -->";
/** Types and defaults longer than this are folded into a <details> element. */
const MAX_INLINE = 100;

// ---------------------------------------------------------------------------------------
// Scanning: positions in the source where strings, heredocs, comments and brackets end.

const OPEN = { "(": ")", "[": "]", "{": "}" };

function isSpace(c) {
  return c === " " || c === "\t" || c === "\r";
}

/** Index just past the comment starting at i, or i when no comment starts there. */
function skipComment(src, i) {
  if (src[i] === "#" || (src[i] === "/" && src[i + 1] === "/")) {
    const nl = src.indexOf("\n", i);
    return nl === -1 ? src.length : nl;
  }
  if (src[i] === "/" && src[i + 1] === "*") {
    const close = src.indexOf("*/", i + 2);
    if (close === -1) throw new SyntaxError(`unterminated /* comment at offset ${i}`);
    return close + 2;
  }
  return i;
}

/** Index just past the quoted string starting at i (src[i] === '"'), templates included. */
function skipString(src, i) {
  let j = i + 1;
  while (j < src.length) {
    const c = src[j];
    if (c === "\\") {
      j += 2;
    } else if (c === '"') {
      return j + 1;
    } else if ((c === "$" || c === "%") && src[j + 1] === "{") {
      j = skipTemplate(src, j + 2);
    } else if (c === "\n") {
      throw new SyntaxError(`unterminated string at offset ${i}`);
    } else {
      j++;
    }
  }
  throw new SyntaxError(`unterminated string at offset ${i}`);
}

/** Index just past the `}` closing a ${ or %{ template whose body starts at i. */
function skipTemplate(src, i) {
  let depth = 1;
  let j = i;
  while (j < src.length) {
    const c = src[j];
    if (c === '"') {
      j = skipString(src, j);
    } else if (c === "{") {
      depth++;
      j++;
    } else if (c === "}") {
      depth--;
      j++;
      if (depth === 0) return j;
    } else {
      j++;
    }
  }
  throw new SyntaxError(`unterminated template at offset ${i}`);
}

const HEREDOC = /^<<(-?)([A-Za-z_][A-Za-z0-9_-]*)[ \t]*\r?\n/;

/** The heredoc starting at i, or null: { end, indent, body } with body the raw lines. */
function readHeredoc(src, i) {
  const m = HEREDOC.exec(src.slice(i, i + 200));
  if (!m) return null;
  const [head, dash, tag] = m;
  const lines = [];
  let pos = i + head.length;
  while (pos <= src.length) {
    const nl = src.indexOf("\n", pos);
    const lineEnd = nl === -1 ? src.length : nl;
    const line = src.slice(pos, lineEnd).replace(/\r$/, "");
    if (line.trim() === tag) return { end: lineEnd, indent: dash === "-", lines };
    lines.push(line);
    if (nl === -1) break;
    pos = nl + 1;
  }
  throw new SyntaxError(`unterminated heredoc <<${dash}${tag} at offset ${i}`);
}

/**
 * Index where the expression starting at i ends: the first newline, comment or closing
 * bracket of the enclosing block at bracket depth 0.
 */
function skipExpression(src, i) {
  const stack = [];
  let j = i;
  while (j < src.length) {
    const c = src[j];
    const afterComment = skipComment(src, j);
    if (afterComment !== j) {
      if (stack.length === 0) return j;
      j = afterComment;
    } else if (c === '"') {
      j = skipString(src, j);
    } else if (c === "<" && src[j + 1] === "<" && HEREDOC.test(src.slice(j, j + 200))) {
      j = readHeredoc(src, j).end;
    } else if (c in OPEN) {
      stack.push(OPEN[c]);
      j++;
    } else if (c === ")" || c === "]" || c === "}") {
      if (stack.length === 0) return j;
      if (stack.pop() !== c) throw new SyntaxError(`unbalanced "${c}" at offset ${j}`);
      j++;
    } else if (c === "\n" && stack.length === 0) {
      return j;
    } else {
      j++;
    }
  }
  if (stack.length > 0) throw new SyntaxError(`unclosed bracket in expression at offset ${i}`);
  return j;
}

function skipBlank(src, i) {
  let j = i;
  for (;;) {
    while (j < src.length && (isSpace(src[j]) || src[j] === "\n")) j++;
    const after = skipComment(src, j);
    if (after === j) return j;
    j = after;
  }
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_-]*/;

/**
 * Parses a body (the file, or a block's inside) from i up to its closing "}" (or the end).
 * Returns { attributes: {name: rawExpression}, blocks: [{type, labels, body}], end }.
 */
function parseBody(src, i, nested) {
  const attributes = {};
  const blocks = [];
  let j = i;
  for (;;) {
    j = skipBlank(src, j);
    if (j >= src.length) {
      if (nested) throw new SyntaxError("unclosed block at end of file");
      return { attributes, blocks, end: j };
    }
    if (src[j] === "}") {
      if (!nested) throw new SyntaxError(`unexpected "}" at offset ${j}`);
      return { attributes, blocks, end: j + 1 };
    }
    const id = IDENT.exec(src.slice(j, j + 200));
    if (!id) throw new SyntaxError(`expected an attribute or block at offset ${j}: ${src.slice(j, j + 30)}`);
    const name = id[0];
    j += name.length;
    while (isSpace(src[j])) j++;
    if (src[j] === "=" && src[j + 1] !== "=") {
      const start = j + 1;
      const end = skipExpression(src, start);
      attributes[name] = src.slice(start, end).trim();
      j = end;
      continue;
    }
    const labels = [];
    while (src[j] !== "{") {
      if (src[j] === '"') {
        const end = skipString(src, j);
        labels.push(decodeString(src.slice(j, end)));
        j = end;
      } else {
        const label = IDENT.exec(src.slice(j, j + 200));
        if (!label) throw new SyntaxError(`expected "{" after block ${name} at offset ${j}`);
        labels.push(label[0]);
        j += label[0].length;
      }
      while (isSpace(src[j])) j++;
    }
    const body = parseBody(src, j + 1, true);
    blocks.push({ type: name, labels, body });
    j = body.end;
  }
}

// ---------------------------------------------------------------------------------------
// Values: string literals and heredocs decoded, other expressions compacted to one line.

/** Decodes a quoted HCL string literal; template sequences are kept as written. */
function decodeString(literal) {
  let out = "";
  for (let k = 1; k < literal.length - 1; k++) {
    const c = literal[k];
    if (c !== "\\") {
      out += c;
      continue;
    }
    const n = literal[++k];
    if (n === "n") out += "\n";
    else if (n === "t") out += "\t";
    else if (n === "r") out += "\r";
    else if (n === "u" || n === "U") {
      const len = n === "u" ? 4 : 8;
      out += String.fromCodePoint(Number.parseInt(literal.slice(k + 1, k + 1 + len), 16));
      k += len;
    } else out += n; // \" and \\
  }
  // $${ and %%{ are escapes for a literal ${ and %{.
  return out.replaceAll("$${", "${").replaceAll("%%{", "%{");
}

function heredocText(h) {
  let lines = h.lines;
  if (h.indent) {
    const widths = lines.filter((l) => l.trim() !== "").map((l) => /^[ \t]*/.exec(l)[0].length);
    const cut = widths.length > 0 ? Math.min(...widths) : 0;
    lines = lines.map((l) => l.slice(cut));
  }
  return lines.join("\n");
}

/** The text of a string-valued expression, or null when it is not a single literal. */
export function stringValue(expr) {
  if (expr.startsWith('"') && skipString(expr, 0) === expr.length) return decodeString(expr);
  if (expr.startsWith("<<")) {
    const h = readHeredoc(expr, 0);
    if (h && expr.slice(h.end).trim() === "") return heredocText(h);
  }
  return null;
}

/**
 * One-line form of an expression: comments dropped, whitespace collapsed, newline-separated
 * object attributes joined with ", ", trailing commas removed. Strings are kept verbatim.
 */
export function compact(expr) {
  const parts = [];
  let pending = null; // "space" | "newline" between tokens
  const depth = [];
  let j = 0;
  const last = () => (parts.length > 0 ? parts[parts.length - 1].at(-1) : "");
  const emit = (token) => {
    const first = token[0];
    const prev = last();
    const closing = first === ")" || first === "]" || first === "}";
    if (prev === "," && closing) parts[parts.length - 1] = parts[parts.length - 1].slice(0, -1);
    const before = last();
    if (parts.length > 0 && !closing && first !== ",") {
      if (before === "(" || before === "[") {
        // no space
      } else if (before === "{") parts.push(" ");
      else if (before === ",") parts.push(" ");
      else if (pending === "newline" && depth.at(-1) === "}") parts.push(", ");
      else if (pending !== null) parts.push(" ");
    } else if (closing && first === "}" && before !== "{" && parts.length > 0) {
      parts.push(" ");
    }
    parts.push(token);
    pending = null;
  };
  while (j < expr.length) {
    const c = expr[j];
    const afterComment = skipComment(expr, j);
    if (afterComment !== j) {
      j = afterComment;
    } else if (c === "\n") {
      pending = "newline";
      j++;
    } else if (isSpace(c)) {
      if (pending === null) pending = "space";
      j++;
    } else if (c === '"') {
      const end = skipString(expr, j);
      emit(expr.slice(j, end));
      j = end;
    } else if (c === "<" && expr[j + 1] === "<" && HEREDOC.test(expr.slice(j, j + 200))) {
      const h = readHeredoc(expr, j);
      emit(JSON.stringify(`${heredocText(h)}\n`));
      j = h.end;
    } else if (c in OPEN) {
      emit(c);
      depth.push(OPEN[c]);
      j++;
    } else if (c === ")" || c === "]" || c === "}") {
      emit(c);
      depth.pop();
      j++;
    } else if (c === ",") {
      emit(",");
      j++;
    } else {
      let k = j;
      while (
        k < expr.length &&
        !/[\s"(){}[\],#]/.test(expr[k]) &&
        !(expr[k] === "/" && /[/*]/.test(expr[k + 1] ?? ""))
      )
        k++;
      if (k === j) k++;
      emit(expr.slice(j, k));
      j = k;
    }
  }
  return parts.join("");
}

// ---------------------------------------------------------------------------------------
// Module reading and Markdown rendering.

/** Variables and outputs declared in the given .tf sources (any order, any files). */
export function parseModule(sources) {
  const variables = [];
  const outputs = [];
  for (const { name, text } of sources) {
    let body;
    try {
      body = parseBody(text, 0, false);
    } catch (err) {
      throw new SyntaxError(`${name}: ${err.message}`, { cause: err });
    }
    for (const block of body.blocks) {
      const attrs = block.body.attributes;
      const description =
        attrs.description === undefined ? "" : (stringValue(attrs.description) ?? compact(attrs.description));
      if (block.type === "variable") {
        variables.push({
          name: block.labels[0],
          description,
          type: attrs.type === undefined ? "any" : compact(attrs.type),
          default: attrs.default === undefined ? undefined : compact(attrs.default),
          required: attrs.default === undefined,
        });
      } else if (block.type === "output") {
        outputs.push({ name: block.labels[0], description, sensitive: attrs.sensitive === "true" });
      }
    }
  }
  const byName = (a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  return { variables: variables.sort(byName), outputs: outputs.sort(byName) };
}

const html = (s) => s.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");

/** A code span safe inside a Markdown table cell. */
function code(s) {
  const fence = s.includes("`") ? "``" : "`";
  const pad = s.includes("`") ? " " : "";
  return `${fence}${pad}${s.replaceAll("|", "\\|")}${pad}${fence}`;
}

/** Index of the bracket closing the one at `open`, skipping strings; -1 if unbalanced. */
function matchClose(s, open) {
  const stack = [];
  let j = open;
  while (j < s.length) {
    const c = s[j];
    if (c === '"') {
      j = skipString(s, j);
      continue;
    }
    if (c in OPEN) stack.push(OPEN[c]);
    else if (c === ")" || c === "]" || c === "}") {
      stack.pop();
      if (stack.length === 0) return j;
    }
    j++;
  }
  return -1;
}

/** Short form of a long type or default: the outermost {...} or [...] emptied, else a prefix. */
function summary(s) {
  const open = s.search(/[{[]/);
  const close = open === -1 ? -1 : matchClose(s, open);
  if (close > open + 1) return `${s.slice(0, open + 1)}...${s.slice(close)}`;
  return `${s.slice(0, 60)}...`;
}

function valueCell(s) {
  if (s.length <= MAX_INLINE) return code(s);
  return `<details><summary>${code(summary(s))}</summary><code>${html(s).replaceAll("|", "&#124;")}</code></details>`;
}

/** Table-safe prose: pipes escaped, newlines as <br>, angle brackets escaped outside code. */
function prose(s) {
  return s
    .trim()
    .split(/(`[^`\n]*`)/)
    .map((part, i) => (i % 2 === 1 ? part : html(part)))
    .join("")
    .replaceAll("|", "\\|")
    .replace(/\r?\n/g, "<br>");
}

/** The Markdown that goes between the markers. */
export function renderDocs({ variables, outputs }) {
  const lines = ["## Inputs", ""];
  if (variables.length === 0) lines.push("No inputs.");
  else {
    lines.push(
      "| Name | Description | Type | Default | Required |",
      "|------|-------------|------|---------|:--------:|",
    );
    for (const v of variables) {
      const def = v.required ? "n/a" : valueCell(v.default);
      lines.push(
        `| ${v.name} | ${prose(v.description)} | ${valueCell(v.type)} | ${def} | ${v.required ? "yes" : "no"} |`,
      );
    }
  }
  lines.push("", "## Outputs", "");
  if (outputs.length === 0) lines.push("No outputs.");
  else {
    lines.push("| Name | Description |", "|------|-------------|");
    for (const o of outputs)
      lines.push(`| ${o.name} | ${prose(o.description)}${o.sensitive ? " (sensitive)" : ""} |`);
  }
  return lines.join("\n");
}

/**
 * README text with the generated section replaced; null when the markers are missing or
 * out of order.
 */
export function replaceSection(readme, generated) {
  const begin = readme.indexOf(BEGIN);
  const end = readme.indexOf(END);
  if (begin === -1 || end === -1 || end < begin) return null;
  return `${readme.slice(0, begin + BEGIN.length)}\n${generated}\n${readme.slice(end)}`;
}

function listDirs(root, parent) {
  const base = join(root, parent);
  let names;
  try {
    names = readdirSync(base);
  } catch {
    return [];
  }
  return names
    .filter((n) => statSync(join(base, n)).isDirectory())
    .sort()
    .map((n) => join(base, n))
    .filter((dir) => readdirSync(dir).some((f) => f.endsWith(".tf")));
}

/**
 * Brings every README under root up to date (or, with check, only reports). Returns the
 * READMEs that are (or were) out of date and the errors, both as paths relative to root.
 */
export function run({ root, check = false }) {
  const stale = [];
  const errors = [];
  const notes = [];
  const dirs = [
    ...listDirs(root, "modules").map((d) => ({ dir: d, module: true })),
    ...listDirs(root, "examples").map((d) => ({ dir: d, module: false })),
  ];
  for (const { dir, module } of dirs) {
    const readmePath = join(dir, "README.md");
    const shown = relative(root, readmePath);
    const sources = readdirSync(dir)
      .filter((f) => f.endsWith(".tf"))
      .sort()
      .map((f) => ({ name: relative(root, join(dir, f)), text: readFileSync(join(dir, f), "utf8") }));
    let generated;
    try {
      generated = renderDocs(parseModule(sources));
    } catch (err) {
      errors.push(`${relative(root, dir)}: cannot parse: ${err.message}`);
      continue;
    }
    let readme;
    try {
      readme = readFileSync(readmePath, "utf8");
    } catch {
      if (module) errors.push(`${shown}: missing (every module needs a README with ${BEGIN} / ${END})`);
      else notes.push(`${shown}: missing, skipped`);
      continue;
    }
    let updated = replaceSection(readme, generated);
    if (updated === null) {
      if (!module) {
        notes.push(`${shown}: no ${BEGIN} / ${END} markers, skipped`);
        continue;
      }
      if (check) {
        errors.push(`${shown}: no ${BEGIN} / ${END} markers (run \`make docs\` to add them at the end)`);
        continue;
      }
      updated = `${readme.replace(/\s*$/, "\n\n")}${BEGIN}\n${generated}\n${END}\n`;
    }
    if (updated === readme) continue;
    stale.push(shown);
    if (!check) writeFileSync(readmePath, updated);
  }
  return { stale, errors, notes };
}

function main(argv) {
  const check = argv.includes("--check");
  const rootAt = argv.indexOf("--root");
  const root = rootAt === -1 ? join(fileURLToPath(new URL(".", import.meta.url)), "..") : argv[rootAt + 1];
  if (root === undefined) {
    console.error("tfdocs: --root needs a directory");
    return 2;
  }
  const { stale, errors, notes } = run({ root, check });
  for (const n of notes) console.log(`tfdocs: ${n}`);
  for (const e of errors) console.error(`tfdocs: error: ${e}`);
  if (check) {
    for (const s of stale) console.error(`tfdocs: out of date: ${s}`);
    if (stale.length > 0) console.error("tfdocs: run `make docs` and commit the READMEs");
    return stale.length > 0 || errors.length > 0 ? 1 : 0;
  }
  for (const s of stale) console.log(`tfdocs: updated ${s}`);
  return errors.length > 0 ? 1 : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = main(process.argv.slice(2));
}
