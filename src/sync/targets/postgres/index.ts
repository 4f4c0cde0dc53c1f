import type { TargetType } from '../types.js';
import { type PostgresTargetConfig, postgresTargetSchema } from './config.js';

export const postgresTargetType: TargetType<PostgresTargetConfig> = {
  type: 'postgres',
  schema: postgresTargetSchema,
  searchable: true,
  async create(name, cfg) {
    // Loaded when a sync uses it: a CLI run against Clarify never loads the PostgreSQL client.
    const { PostgresTarget } = await import('./target.js');
    return new PostgresTarget(name, cfg);
  },
};
