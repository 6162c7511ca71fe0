import { ApolloArmor } from '@escape.tech/graphql-armor';

/** Limits of the query surface. */
export interface SurfaceLimits {
  maxDepth: number;
  maxAliases: number;
  maxDirectives: number;
  maxTokens: number;
  maxCost: number;
  maxBodyBytes: number;
}

/** Defaults: generous for dashboards and the explorer's example operations, far below abuse. */
export const DEFAULT_LIMITS: SurfaceLimits = { maxDepth: 12, maxAliases: 30, maxDirectives: 50, maxTokens: 5000, maxCost: 20000, maxBodyBytes: 256 * 1024 };

/** The limits in force. */
export function surfaceLimits(overrides: Partial<SurfaceLimits> = {}): SurfaceLimits {
  return { ...DEFAULT_LIMITS, ...overrides };
}

/**
 * The graphql-armor protections (depth, aliases, directives, tokens, cost) as Apollo plugins and
 * validation rules: hostile documents are refused while parsing or validating, before any
 * plan or subgraph call. Field suggestions are handled per role elsewhere; `first` is bounded
 * by the contract (common/pagination.ts).
 */
export function surfaceArmor(overrides?: Partial<SurfaceLimits>) {
  const limits = surfaceLimits(overrides);
  return new ApolloArmor({
    maxDepth: { n: limits.maxDepth, flattenFragments: true },
    maxAliases: { n: limits.maxAliases },
    maxDirectives: { n: limits.maxDirectives },
    // Token counting is graphql-js's own parse option (see parseOptions), which answers 400.
    maxTokens: { enabled: false },
    costLimit: { maxCost: limits.maxCost, objectCost: 2, scalarCost: 1, depthCostFactor: 1.5, ignoreIntrospection: true },
    blockFieldSuggestion: { enabled: false },
  }).protect();
}
