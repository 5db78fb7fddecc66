/**
 * Which code a run measured: the commit, whether the working tree had uncommitted changes (then the
 * figures belong to no commit), and when the measured gateway build was written.
 */
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';

/** Recorded with every result. */
export interface RepositoryState {
  /** `git rev-parse --short HEAD`, or null outside a git checkout. */
  commit: string | null;
  /** Uncommitted changes to tracked or untracked files at the start of the run (results files aside). */
  dirty: boolean | null;
  /** The first changed paths (`git status --porcelain`), so a reader can tell whose. */
  dirtyPaths: string[];
  /** Modification time of the gateway build that was started (ISO), or null when unreadable. */
  gatewayBuiltAt: string | null;
}

/** Reads the state of the checkout at `directory` and of the built gateway at `gatewayCli`. */
export function readRepositoryState(directory: string, gatewayCli: string): RepositoryState {
  const git = (args: string[]): string | null => {
    try {
      return execFileSync('git', args, {
        cwd: directory,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }).trim();
    } catch {
      return null;
    }
  };
  const commit = git(['rev-parse', '--short', 'HEAD']);
  const status = git(['status', '--porcelain']);
  let gatewayBuiltAt: string | null = null;
  try {
    gatewayBuiltAt = statSync(gatewayCli).mtime.toISOString();
  } catch {
    // not built: the runner stops with its own message
  }
  // A results file this runner wrote is not a change to the code measured.
  const changes =
    status === null || status === ''
      ? []
      : status.split('\n').filter((line) => !line.slice(3).startsWith('bench/results/'));
  return {
    commit,
    dirty: status === null ? null : changes.length > 0,
    dirtyPaths: changes.slice(0, 50),
    gatewayBuiltAt,
  };
}
