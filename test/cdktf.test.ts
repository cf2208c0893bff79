import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXAMPLE, localSource, synthesize } from "../examples/cdktf/main.ts";

// examples/cdktf synthesized as its README says, with the module source pointed at this
// checkout, then checked by Terraform itself: init (no backend) and validate.
const repoRoot = resolve(new URL("..", import.meta.url).pathname);
let outdir = "";
let stackDir = "";

/** Terraform's environment: the machine's provider mirror where there is one, as the Makefile does. */
const terraformEnv = {
  ...process.env,
  TF_IN_AUTOMATION: "1",
  CHECKPOINT_DISABLE: "1",
  ...(existsSync("/opt/tf-plugins") ? { TF_CLI_CONFIG_FILE: join(repoRoot, "terraform.rc") } : {}),
};

beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), "skiff-cdktf-"));
  // The stack must sit at the same depth as in the example, so the relative source resolves.
  stackDir = synthesize(outdir, { source: localSource(outdir) });
}, 60_000);

afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe("examples/cdktf", () => {
  it("synthesizes one module block for modules/runners with the example's inputs, the provider and the output", () => {
    const json = JSON.parse(readFileSync(join(stackDir, "cdk.tf.json"), "utf8"));
    expect(json.terraform.required_providers.aws).toEqual({
      source: "hashicorp/aws",
      version: ">= 5.50, < 7.0",
    });
    expect(json.provider.aws).toEqual([{ region: "us-east-1" }]);
    const runners = json.module.runners;
    expect(runners.source).toMatch(/^\.\.\/.*modules\/runners$/);
    expect(runners.pools).toEqual(EXAMPLE.pools);
    expect(runners.network).toEqual(EXAMPLE.network);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Terraform's interpolation, not JavaScript's
    expect(json.output.webhook_url.value).toBe("${module.runners.webhook_url}");
  });

  it("is valid Terraform: init and validate accept the synthesized stack", () => {
    const init = spawnSync("terraform", ["init", "-backend=false", "-input=false", "-no-color"], {
      cwd: stackDir,
      env: terraformEnv,
      encoding: "utf8",
    });
    expect(init.status, init.stderr + init.stdout).toBe(0);
    const validate = spawnSync("terraform", ["validate", "-no-color"], {
      cwd: stackDir,
      env: terraformEnv,
      encoding: "utf8",
    });
    expect(validate.status, validate.stderr + validate.stdout).toBe(0);
    expect(validate.stdout).toContain("The configuration is valid");
  }, 180_000);
});
