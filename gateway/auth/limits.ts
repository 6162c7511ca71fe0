import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import type { ValidationRule } from 'graphql';
import { FiniteNumberRule, operationResolutionPlugin, persistedQueryErrorsPlugin, ReservedAliasRule, SingleSchemaIntrospectionRule } from './client-mistakes.js';

/** Limits of the query surface. */
export interface SurfaceLimits {
  maxDepth: number;
  maxAliases: number;
  maxDirectives: number;
  maxTokens: number;
  maxCost: number;
  maxBodyBytes: number;
  /** Province aggregate scans one request may cause (gateway/fair-use/fan-out-cost.ts). */
  maxProvinceScans: number;
  /** Province rows one request may fetch, `first` resolved from variables (gateway/fair-use/fan-out-cost.ts). */
  maxRows: number;
  /** Objects one answer may hold, estimated from list sizes (gateway/fair-use/fan-out-cost.ts). */
  maxObjects: number;
}

/** Defaults: generous for dashboards and the explorer's example operations, far below abuse. */
export const DEFAULT_LIMITS: SurfaceLimits = {
  maxDepth: 12,
  maxAliases: 30,
  maxDirectives: 50,
  maxTokens: 5000,
  maxCost: 20000,
  maxBodyBytes: 256 * 1024,
  maxProvinceScans: 120,
  maxRows: 5000,
  maxObjects: 50_000,
};

/** The limits in force. */
export function surfaceLimits(overrides: Partial<SurfaceLimits> = {}): SurfaceLimits {
  return { ...DEFAULT_LIMITS, ...overrides };
}

/**
 * The protections of the query surface as Apollo plugins and validation rules: graphql-armor's
 * limits (depth, aliases, directives, cost), under which hostile documents are refused while
 * validating, before any plan or subgraph call; and the gateway's own refusals of requests it
 * cannot answer (reserved aliases, unknown or missing operation, subscriptions, a persisted
 * query whose hash or version is wrong: client-mistakes.ts), each a 400 with a stable code. Field
 * suggestions are handled per role elsewhere; `first` is bounded by the contract
 * (common/pagination.ts).
 */
export function surfaceArmor(overrides?: Partial<SurfaceLimits>): { plugins: ApolloServerPlugin[]; validationRules: ValidationRule[] } {
  const limits = surfaceLimits(overrides);
  const armor = new ApolloArmor({
    maxDepth: { n: limits.maxDepth, flattenFragments: true },
    maxAliases: { n: limits.maxAliases },
    maxDirectives: { n: limits.maxDirectives },
    // Token counting is graphql-js's own parse option (see parseOptions), which answers 400.
    maxTokens: { enabled: false },
    costLimit: { maxCost: limits.maxCost, objectCost: 2, scalarCost: 1, depthCostFactor: 1.5, ignoreIntrospection: true },
    blockFieldSuggestion: { enabled: false },
  }).protect();
  return {
    // The persisted-query plugin first: it completes an error other plugins (the request log) then read.
    // graphql-armor's typings name @apollo/server's CommonJS build; the plugin objects are the same.
    plugins: [persistedQueryErrorsPlugin(), operationResolutionPlugin(), ...(armor.plugins as unknown as ApolloServerPlugin[])],
    validationRules: [...armor.validationRules, ReservedAliasRule, FiniteNumberRule, SingleSchemaIntrospectionRule],
  };
}
