import { defaultLabels, type PoolRoute } from "../shared/pools.ts";

interface CompiledRoute {
  name: string;
  specificity: number;
  accepts: Set<string>;
}

/** Routes a job's labels to the pool that serves it, or to none. */
export interface Router {
  route(labels: readonly string[]): string | undefined;
}

/**
 * A job matches a pool when every job label (case-insensitive) is among the pool's labels
 * plus the defaults every runner carries. Of several matches, the pool with the fewest
 * labels wins (it is the most specific fit), then the one declared first. A job with no
 * labels is never claimed.
 */
export function createRouter(pools: readonly PoolRoute[]): Router {
  const routes: CompiledRoute[] = pools
    .map((pool) => ({
      name: pool.name,
      specificity: pool.labels.length,
      accepts: new Set([...pool.labels, ...defaultLabels(pool.architecture)].map((l) => l.toLowerCase())),
    }))
    // Array.prototype.sort is stable, so declaration order breaks ties.
    .sort((a, b) => a.specificity - b.specificity);

  return {
    route(labels) {
      if (labels.length === 0) return undefined;
      const wanted = labels.map((label) => label.toLowerCase());
      return routes.find((route) => wanted.every((label) => route.accepts.has(label)))?.name;
    },
  };
}
