/**
 * The sync daemon: it opens the database itself (and serves it to other processes), so
 * the command hands it the configuration, not a database.
 */
export { runDaemon, type CycleOutcome, type DaemonOptions } from '../sync/daemon.js';
