/**
 * "Under load", as the verdict rules mean it (docs/architecture.md): one busy loop per core, at
 * the default priority (nice 0), for as long as a command runs. The tests and the docs use this
 * one definition: `bin/cpu-load <command…>`, or startCpuLoad() in a test.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';

export interface CpuLoad {
  loops: number;
  stop(): Promise<void>;
}

export function startCpuLoad(loops = availableParallelism()): CpuLoad {
  const children: ChildProcess[] = [];
  for (let i = 0; i < loops; i++) {
    children.push(spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
  }
  return {
    loops,
    stop: () =>
      Promise.all(
        children.map(
          (c) =>
            new Promise<void>((resolve) => {
              if (c.exitCode !== null || c.signalCode !== null) return resolve();
              c.once('exit', () => resolve());
              c.kill('SIGKILL');
            }),
        ),
      ).then(() => undefined),
  };
}
