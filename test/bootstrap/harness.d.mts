export declare const repoRoot: string;
export declare const bootstrapScript: string;

export interface ImdsRequest {
  method: string | undefined;
  url: string | undefined;
  authorized: boolean;
}

export interface Imds {
  url: string;
  instanceId: string;
  region: string;
  requests: ImdsRequest[];
  close(): Promise<void>;
}

export declare function startImds(options?: {
  instanceId?: string;
  region?: string;
  /** The instance profile's name in IMDS iam/info (default ci-linux-runner). */
  instanceProfile?: string;
}): Promise<Imds>;

export interface RootOptions {
  imdsUrl: string;
  prefix?: string;
  bootTimeout?: number;
  /** The SecureString's value; undefined: the parameter never exists. */
  parameterValue?: string;
  /** get-parameter calls that fail with ParameterNotFound before the value appears. */
  appearAfter?: number;
  missingError?: string;
  runnerExitCode?: number;
  retrySeconds?: number;
  writeEnvFile?: boolean;
  /** What the stub run.sh prints, line by line; a line "@uptime <s>" sets /proc/uptime instead. */
  runnerOutput?: string;
  /** The stub /proc/uptime (default "4.20 1.00"). */
  uptime?: string;
  /** RUNNER_PUBLISHED in a stub /etc/skiff/image.env; undefined: no image.env (stock AMI). */
  runnerPublished?: string;
  /** put-metric-data fails with AccessDenied. */
  putMetricFails?: boolean;
  /** Hook scripts user data writes, by file name without .sh (e.g. "job-started"). */
  hooks?: Record<string, string>;
}

export interface Root {
  root: string;
  state: string;
  env: Record<string, string>;
  /** Reads a file the stubs wrote under state/, or undefined if there is none. */
  read(name: string): string | undefined;
  cleanup(): void;
}

export declare function makeRoot(options: RootOptions): Root;

export interface BootstrapRun {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export declare function runBootstrap(
  env: Record<string, string>,
  options?: { timeoutMs?: number },
): Promise<BootstrapRun>;
