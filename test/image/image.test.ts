// The runner image's pins that no build runs offline: which Amazon Linux 2023 images the
// Packer template may start from, and which Packer the documentation tells people to use.
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const repoRoot = resolve(fileURLToPath(import.meta.url), "../../..");
const read = (path: string) => readFileSync(join(repoRoot, path), "utf8");

/** The source_ami_filter's name pattern, for one architecture. */
function amiNameFilter(arch: "x86_64" | "arm64"): string {
  const template = read("packer/runner/runner.pkr.hcl");
  const filter = template.match(/source_ami_filter\s*\{[\s\S]*?\n\s*name\s*=\s*"([^"]+)"/);
  expect(filter, "runner.pkr.hcl must filter its source AMI by name").not.toBeNull();
  return filter![1]!.replace(/\$\{var\.arch\}/, arch);
}

/** Does an EC2 filter value (`*` any run of characters, `?` one character) match the name? */
function ec2FilterMatches(pattern: string, name: string): boolean {
  const regex = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${regex}$`).test(name);
}

describe("packer/runner source AMI filter", () => {
  // Names as Amazon publishes them: one image per kernel line per release.
  const names = (arch: string) => ({
    "6.1": `al2023-ami-2023.11.20260526.0-kernel-6.1-${arch}`,
    "6.12": `al2023-ami-2023.11.20260526.0-kernel-6.12-${arch}`,
    "6.18": `al2023-ami-2023.11.20260526.0-kernel-6.18-${arch}`,
    minimal: `al2023-ami-minimal-2023.11.20260526.0-kernel-6.1-${arch}`,
  });

  it.each(["x86_64", "arm64"] as const)(
    "matches only the kernel 6.1 line's standard images for %s",
    (arch) => {
      const pattern = amiNameFilter(arch);
      const published = names(arch);

      expect(ec2FilterMatches(pattern, published["6.1"])).toBe(true);
      expect(ec2FilterMatches(pattern, published["6.12"])).toBe(false);
      expect(ec2FilterMatches(pattern, published["6.18"])).toBe(false);
      expect(ec2FilterMatches(pattern, published.minimal)).toBe(false);
      expect(ec2FilterMatches(pattern, names(arch === "arm64" ? "x86_64" : "arm64")["6.1"])).toBe(false);
    },
  );

  it("is the kernel line packer/README.md explains", () => {
    const line = amiNameFilter("x86_64").match(/-kernel-(\d+\.\d+)-/)?.[1];
    expect(line, "the filter must name one kernel line, e.g. kernel-6.1").toBeDefined();
    expect(read("packer/README.md")).toContain(`\`al2023-ami-2023.*-kernel-${line}-<arch>\``);
  });
});

describe("the Packer to install", () => {
  const named = read("packer/README.md").match(/Install HashiCorp's Packer (\d+\.\d+\.\d+)/)?.[1];

  it("packer/README.md names one version, the one the release workflow validates the template with", () => {
    expect(named, 'packer/README.md must say "Install HashiCorp\'s Packer x.y.z"').toBeDefined();
    const workflow = read(".github/workflows/release.yml");
    expect(workflow).toMatch(
      new RegExp(`setup-packer@v[\\d.]+\\n\\s+with:\\n\\s+version: ${named!.replace(/\./g, "\\.")}\\n`),
    );
  });

  it("meets plugins.pkr.hcl's required_version and has packer init (1.7.0 and later)", () => {
    const required = read("packer/runner/plugins/plugins.pkr.hcl").match(
      /required_version\s*=\s*">=\s*(\d+\.\d+\.\d+)"/,
    )?.[1];
    expect(required).toBeDefined();
    const atLeast = (version: string, floor: string) => {
      const [a, b] = [version, floor].map((v) => v.split(".").map(Number));
      for (let i = 0; i < 3; i++) if (a![i] !== b![i]) return a![i]! > b![i]!;
      return true;
    };
    expect(atLeast(named!, required!)).toBe(true);
    expect(atLeast(named!, "1.7.0")).toBe(true);
  });
});
