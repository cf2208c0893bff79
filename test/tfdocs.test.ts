import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

interface Variable {
  name: string;
  description: string;
  type: string;
  default: string | undefined;
  required: boolean;
}
interface Output {
  name: string;
  description: string;
  sensitive: boolean;
}
interface Parsed {
  variables: Variable[];
  outputs: Output[];
}
interface TfDocs {
  BEGIN: string;
  END: string;
  parseModule(sources: { name: string; text: string }[]): Parsed;
  renderDocs(parsed: Parsed): string;
  compact(expr: string): string;
  run(options: { root: string; check?: boolean }): { stale: string[]; errors: string[]; notes: string[] };
}

const script = new URL("../scripts/tfdocs.mjs", import.meta.url);
const tfdocs = (await import(script.href)) as TfDocs;

const VARIABLES_TF = `
# A comment with "quotes" and { braces } that must not confuse the scanner.
variable "zeta" {
  description = "Says \\"hello\\" | and uses <name> and \`code <x>\`."
  type        = string
  default     = "a \\"quoted\\" {value}"
}

variable "alpha" {
  description = <<-EOT
    First line.
    Second line.
  EOT
  type = object({
    enabled = optional(bool, false) // trailing comment
    nested  = optional(map(list(string)), {})
    label   = optional(string, "}")
  })
  default  = {}
  nullable = false

  validation {
    condition     = contains(["a", "b"], var.alpha.label) || var.alpha.label == "}"
    error_message = "alpha.label must be \\"a\\" or \\"b\\"."
  }
}

variable "required_one" {
  description = "No default: required."
  type        = list(string)
}

variable "interpolated" {
  description = "Mentions \${var.zeta} literally."
  type        = number
  default     = 5
}
`;

const OUTPUTS_TF = `
output "b_out" {
  description = "The second output."
  value       = { for k, v in var.alpha : k => v if v != "}" }
}

output "a_out" {
  description = "The first output."
  value       = [var.zeta]
  sensitive   = true
}
`;

function writeModule(root: string, folder: string, readme: string | null): string {
  const dir = join(root, folder);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "variables.tf"), VARIABLES_TF);
  writeFileSync(join(dir, "outputs.tf"), OUTPUTS_TF);
  if (readme !== null) writeFileSync(join(dir, "README.md"), readme);
  return dir;
}

function cli(root: string, ...args: string[]): { status: number; output: string } {
  try {
    const stdout = execFileSync(process.execPath, [script.pathname, "--root", root, ...args], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
    return { status: 0, output: stdout };
  } catch (err) {
    const e = err as { status: number; stdout: string; stderr: string };
    return { status: e.status, output: `${e.stdout}${e.stderr}` };
  }
}

describe("parseModule(sources)", () => {
  it("reads variables and outputs sorted by name, with defaults and required flags", () => {
    // Act
    const parsed = tfdocs.parseModule([
      { name: "variables.tf", text: VARIABLES_TF },
      { name: "outputs.tf", text: OUTPUTS_TF },
    ]);

    // Assess
    expect(parsed.variables.map((v) => v.name)).toEqual(["alpha", "interpolated", "required_one", "zeta"]);
    expect(parsed.outputs.map((o) => o.name)).toEqual(["a_out", "b_out"]);
    const byName = Object.fromEntries(parsed.variables.map((v) => [v.name, v]));
    expect(byName.zeta?.description).toBe('Says "hello" | and uses <name> and `code <x>`.');
    expect(byName.zeta?.default).toBe('"a \\"quoted\\" {value}"');
    expect(byName.alpha?.description).toBe("First line.\nSecond line.");
    expect(byName.alpha?.default).toBe("{}");
    expect(byName.required_one?.required).toBe(true);
    expect(byName.required_one?.default).toBeUndefined();
    // biome-ignore lint/suspicious/noTemplateCurlyInString: an HCL interpolation, kept as written
    expect(byName.interpolated?.description).toBe("Mentions ${var.zeta} literally.");
    expect(parsed.outputs[0]?.sensitive).toBe(true);
  });

  it("renders a multi-line object type on one line, without comments", () => {
    // Act
    const parsed = tfdocs.parseModule([{ name: "variables.tf", text: VARIABLES_TF }]);

    // Assess
    expect(parsed.variables[0]?.type).toBe(
      'object({ enabled = optional(bool, false), nested = optional(map(list(string)), {}), label = optional(string, "}") })',
    );
  });

  it("names the file when the HCL cannot be parsed", () => {
    // Act / Assess
    expect(() =>
      tfdocs.parseModule([{ name: "broken.tf", text: 'variable "x" {\n  type = list(string\n' }]),
    ).toThrow(/broken\.tf/);
  });
});

describe("compact(expr)", () => {
  it.each([
    ['[\n  "a",\n  "b",\n]', '["a", "b"]'],
    ["map(  string )", "map(string)"],
    ['{\n  a = 1\n  b = "x y"\n}', '{ a = 1, b = "x y" }'],
    ["{}", "{}"],
    ["null", "null"],
  ])("compact(%j) is %j", (input, expected) => {
    expect(tfdocs.compact(input)).toBe(expected);
  });
});

describe("renderDocs(parsed)", () => {
  it("escapes pipes and angle brackets in prose but keeps code spans", () => {
    // Act
    const md = tfdocs.renderDocs(tfdocs.parseModule([{ name: "variables.tf", text: VARIABLES_TF }]));

    // Assess
    expect(md).toContain('| zeta | Says "hello" \\| and uses &lt;name&gt; and `code <x>`. | `string` |');
    expect(md).toContain("| alpha | First line.<br>Second line. |");
    expect(md).toContain("| required_one | No default: required. | `list(string)` | n/a | yes |");
    expect(md).toContain("No outputs.");
  });

  it("folds a very long type into <details> with the full text", () => {
    // Prepare
    const fields = Array.from({ length: 12 }, (_, i) => `    field_${i} = optional(string)`).join("\n");
    const text = `variable "big" {\n  description = "Big."\n  type = object({\n${fields}\n  })\n}\n`;

    // Act
    const md = tfdocs.renderDocs(tfdocs.parseModule([{ name: "v.tf", text }]));

    // Assess
    expect(md).toContain(
      "<details><summary>`object({...})`</summary><code>object({ field_0 = optional(string),",
    );
  });

  it("is deterministic", () => {
    const parsed = tfdocs.parseModule([
      { name: "outputs.tf", text: OUTPUTS_TF },
      { name: "variables.tf", text: VARIABLES_TF },
    ]);
    expect(tfdocs.renderDocs(parsed)).toBe(tfdocs.renderDocs(structuredClone(parsed)));
  });
});

describe("node scripts/tfdocs.mjs", () => {
  let root: string;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "tfdocs-"));
  });

  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it("writes the tables between the markers, then --check passes and a second write changes nothing", () => {
    // Prepare
    const dir = writeModule(
      root,
      "modules/fixture",
      `# fixture\n\nProse.\n\n${tfdocs.BEGIN}\nstale\n${tfdocs.END}\n\nAfter.\n`,
    );

    // Act
    const write = cli(root);
    const readme = readFileSync(join(dir, "README.md"), "utf8");
    const check = cli(root, "--check");
    const again = tfdocs.run({ root });

    // Assess
    expect(write.status).toBe(0);
    expect(write.output).toContain("updated modules/fixture/README.md");
    expect(readme.startsWith("# fixture\n\nProse.\n\n<!-- BEGIN_TF_DOCS -->\n## Inputs\n")).toBe(true);
    expect(readme.endsWith("<!-- END_TF_DOCS -->\n\nAfter.\n")).toBe(true);
    expect(readme).not.toContain("stale");
    expect(readme.indexOf("| alpha |")).toBeLessThan(readme.indexOf("| zeta |"));
    expect(readme).toContain("| a_out | The first output. (sensitive) |");
    expect(check).toEqual({ status: 0, output: "" });
    expect(again.stale).toEqual([]);
  });

  it("--check fails and names the README after a description changes, without writing", () => {
    // Prepare
    const dir = writeModule(root, "modules/fixture", `# fixture\n\n${tfdocs.BEGIN}\n${tfdocs.END}\n`);
    expect(cli(root).status).toBe(0);
    const before = readFileSync(join(dir, "README.md"), "utf8");
    writeFileSync(
      join(dir, "outputs.tf"),
      OUTPUTS_TF.replace("The first output.", "The first output, renamed."),
    );

    // Act
    const check = cli(root, "--check");

    // Assess
    expect(check.status).toBe(1);
    expect(check.output).toContain("out of date: modules/fixture/README.md");
    expect(readFileSync(join(dir, "README.md"), "utf8")).toBe(before);
  });

  it("--check reports a module README without markers as an error; a write appends them", () => {
    // Prepare
    const dir = writeModule(root, "modules/fixture", "# fixture\n\nNo tables yet.\n");

    // Act
    const check = cli(root, "--check");
    const write = cli(root);
    const readme = readFileSync(join(dir, "README.md"), "utf8");

    // Assess
    expect(check.status).toBe(1);
    expect(check.output).toContain(
      "error: modules/fixture/README.md: no <!-- BEGIN_TF_DOCS --> / <!-- END_TF_DOCS --> markers",
    );
    expect(write.status).toBe(0);
    expect(readme.startsWith("# fixture\n\nNo tables yet.\n\n<!-- BEGIN_TF_DOCS -->\n")).toBe(true);
    expect(readme.endsWith("<!-- END_TF_DOCS -->\n")).toBe(true);
    expect(cli(root, "--check").status).toBe(0);
  });

  it("reports a module without a README as an error, and skips examples without markers", () => {
    // Prepare
    writeModule(root, "modules/bare", null);
    const example = writeModule(root, "examples/demo", "# demo\n");

    // Act
    const check = cli(root, "--check");

    // Assess
    expect(check.status).toBe(1);
    expect(check.output).toContain("error: modules/bare/README.md: missing");
    expect(check.output).toContain(
      "examples/demo/README.md: no <!-- BEGIN_TF_DOCS --> / <!-- END_TF_DOCS --> markers, skipped",
    );
    expect(readFileSync(join(example, "README.md"), "utf8")).toBe("# demo\n");
  });

  it("updates examples that carry markers", () => {
    // Prepare
    const example = writeModule(root, "examples/demo", `# demo\n${tfdocs.BEGIN}\n${tfdocs.END}\n`);

    // Act
    const write = cli(root);

    // Assess
    expect(write.status).toBe(0);
    expect(readFileSync(join(example, "README.md"), "utf8")).toContain("| required_one |");
  });
});
