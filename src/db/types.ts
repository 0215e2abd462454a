/**
 * One interface over the embedded database (PGlite + TimescaleDB) and a PostgreSQL server
 * (`pg`): queries take a Queryable; transactions go through Database.transaction.
 */
export interface QueryResult<T> {
  rows: T[];
  rowCount: number;
}

export interface Queryable {
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<QueryResult<T>>;
  /** Runs a script of several statements, without parameters. */
  exec(sql: string): Promise<void>;
}

export type EngineKind = 'embedded' | 'server' | 'embedded-via-daemon';

export interface Database extends Queryable {
  readonly kind: EngineKind;
  /** Where the data is: the data directory, or the server URL without its password. */
  readonly location: string;
  /** Runs fn in one transaction: commit when it resolves, roll back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /**
   * Runs fn on one connection held for its whole duration (a server pool hands out one
   * client), so session-level state such as an advisory lock stays with it. Absent on the
   * embedded database, which is a single session already.
   */
  withSession?<T>(fn: (session: Database) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
