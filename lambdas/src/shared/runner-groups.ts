import type { Octokit } from "@octokit/core";

/** The runner group a pool names does not exist: retrying will not create it. */
export class RunnerGroupMissing extends Error {
  override name = "RunnerGroupMissing";
}

type Client = Pick<Octokit, "request">;

/**
 * Resolves an organisation's runner group by name (case-insensitive), as GitHub lists them
 * (`GET /orgs/{org}/actions/runner-groups`). Ids are kept ten minutes, and concurrent
 * launches share one lookup.
 */
export function runnerGroupLookup(client: (installationId: number) => Promise<Client>) {
  const groups = new Map<string, { id: Promise<number>; at: number }>();
  const lookUp = async (installationId: number, org: string, name: string): Promise<number> => {
    const octokit = await client(installationId);
    for (let page = 1; ; page++) {
      const { data } = await octokit.request("GET /orgs/{org}/actions/runner-groups", {
        org,
        per_page: 100,
        page,
      });
      const found = data.runner_groups.find((g) => g.name.toLowerCase() === name.toLowerCase());
      if (found) return found.id;
      if (data.runner_groups.length < 100)
        throw new RunnerGroupMissing(`organisation ${org} has no runner group named "${name}"`);
    }
  };
  return (installationId: number, org: string, name: string): Promise<number> => {
    const key = `${org}/${name}`.toLowerCase();
    const known = groups.get(key);
    if (known && Date.now() - known.at < 10 * 60_000) return known.id;
    const id = lookUp(installationId, org, name);
    groups.set(key, { id, at: Date.now() });
    id.catch(() => groups.delete(key));
    return id;
  };
}
