// skiff's modules/runners from a TypeScript CDKTF app: one stack, the AWS provider, the module as a
// TerraformHclModule and its webhook URL as an output. `node main.ts` (Node 22.18 or later; on
// Node 20, `npx tsx main.ts`) writes cdktf.out/stacks/skiff/cdk.tf.json; then, in that folder,
// `terraform init` and `terraform apply` as with HCL. CDKTF upstream is archived: see README.md.
import { relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { App, TerraformHclModule, TerraformOutput, TerraformProvider, TerraformStack } from "cdktf";
import type { Construct } from "constructs";

/** The inputs of modules/runners this app sets (its variables.tf is the contract; `terraform validate` checks these against it). */
export interface RunnersInputs {
  prefix: string;
  github_app: { id: string; key_ssm_parameter?: string; webhook_secret_ssm_parameters?: string[] };
  network:
    | { vpc_id: string; subnet_ids: string[] }
    | { create_vpc: { availability_zones: string[]; mode?: "public" | "private" } };
  lambdas?: { dir?: string };
  pools: Record<
    string,
    {
      instance_types: string[];
      max_runners: number;
      labels?: string[];
      architecture?: "x64" | "arm64";
      capacity_type?: "spot" | "on-demand";
      on_demand_fallback?: boolean;
    }
  >;
  tags?: Record<string, string>;
}

export interface SkiffStackOptions {
  region: string;
  /** Where Terraform gets modules/runners: a git source pinned to a release, or a relative path. */
  source: string;
  inputs: RunnersInputs;
}

/**
 * hashicorp/aws with only `region`. The prebuilt @cdktf/provider-aws bindings would add a large
 * package for one attribute; a provider block needs no more than this.
 */
class AwsProvider extends TerraformProvider {
  readonly #region: string;
  constructor(scope: Construct, id: string, region: string) {
    super(scope, id, { terraformResourceType: "aws", terraformProviderSource: "hashicorp/aws" });
    this.#region = region;
  }
  protected override synthesizeAttributes(): Record<string, unknown> {
    return { region: this.#region };
  }
  protected override synthesizeHclAttributes(): Record<string, unknown> {
    return { region: { value: this.#region, type: "simple", storageClassType: "string" } };
  }
}

export class SkiffStack extends TerraformStack {
  readonly runners: TerraformHclModule;

  constructor(scope: Construct, id: string, options: SkiffStackOptions) {
    super(scope, id);
    // The version range modules/runners itself requires.
    this.addOverride("terraform.required_providers.aws", {
      source: "hashicorp/aws",
      version: ">= 5.50, < 7.0",
    });
    new AwsProvider(this, "aws", options.region);
    this.runners = new TerraformHclModule(this, "runners", {
      source: options.source,
      // Terraform reads a local module in place: copying modules/runners alone would cut it off
      // from its sibling modules.
      skipAssetCreationFromLocalModules: true,
      variables: { ...options.inputs },
    });
    new TerraformOutput(this, "webhook_url", {
      value: this.runners.get("webhook_url"),
      description: "Set the GitHub App's webhook URL to this.",
    });
  }
}

/** The example deployment: one spot pool in a new public VPC, as examples/default. */
export const EXAMPLE: RunnersInputs = {
  prefix: "ci",
  github_app: { id: "123456" },
  network: { create_vpc: { availability_zones: ["us-east-1a", "us-east-1b", "us-east-1c"] } },
  pools: {
    linux: { labels: ["linux-ci"], instance_types: ["m7i.large", "m6i.large", "m7a.large"], max_runners: 10 },
  },
};

/** Synthesizes the app into `outdir`; returns the folder of the stack's Terraform JSON. */
export function synthesize(outdir: string, options: Partial<SkiffStackOptions> = {}): string {
  const app = new App({ outdir });
  const stackDir = resolve(outdir, "stacks", "skiff");
  new SkiffStack(app, "skiff", {
    region: options.region ?? "us-east-1",
    // A release for real use; a test passes the path of this checkout's module.
    source: options.source ?? "git::https://github.com/<org>/skiff.git//modules/runners?ref=v0.1.0",
    inputs: options.inputs ?? EXAMPLE,
  });
  app.synth();
  return stackDir;
}

/** The path of this checkout's modules/runners as seen from a stack folder under `outdir`. */
export function localSource(outdir: string): string {
  const here = fileURLToPath(new URL(".", import.meta.url));
  return relative(resolve(outdir, "stacks", "skiff"), resolve(here, "../../modules/runners"));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const outdir = resolve(fileURLToPath(new URL(".", import.meta.url)), "cdktf.out");
  // From a release, the zips are the ones fetch-lambdas.sh writes to lambdas/ beside cdk.tf.json;
  // from this checkout, the module's default: dist/lambdas of the checkout (make build).
  const local = process.argv.includes("--local");
  console.log(
    synthesize(
      outdir,
      local ? { source: localSource(outdir) } : { inputs: { ...EXAMPLE, lambdas: { dir: "lambdas" } } },
    ),
  );
}
