import path from 'node:path';
import type { LogMode } from '../cli/args.js';
import { taskLabel } from '../config/tasks.js';
import type { EchoItem, ExecutionPlan, PlannedTask, SpawnItem } from '../plan/plan.js';
import { displayCommand, isFailure, type LeafRecord, type LeafResult } from '../report/model.js';
import type { Workspace } from '../workspace/types.js';
import { uncachedEnv } from './env.js';
import { TaskProcess } from './process.js';
import { commandLine } from './status.js';
import { createLeafWriter, type LeafWriter, type Terminal } from './writers.js';
import type { CachedRunner } from './cached.js';

export interface ExecutorOptions {
  readonly ws: Workspace;
  readonly mode: LogMode;
  readonly color: boolean;
  readonly terminal: Terminal;
  /** Runs cache-enabled items (lookup, replay, spawn, store). */
  readonly cached: CachedRunner;
}

/**
 * Runs execution plans: a DAG scheduler per graph, the items of a task in order, fast-fail across the whole
 * run, and Ctrl-C forwarding (cli.md §6). Produces one LeafRecord per item that started.
 */
export class Executor {
  readonly leaves: LeafRecord[] = [];
  /** Set by the first failure: nothing new starts, running trees are killed. */
  private failed = false;
  /** Set by Ctrl-C: nothing new starts; running tasks finish on their own terms. */
  private interrupted = false;
  private readonly running = new Set<TaskProcess>();
  /**
   * Leaves that failed on their own, as opposed to being killed by fast-fail afterwards. The exit code
   * follows these: a failure that kills its siblings still exits with its own code.
   */
  private readonly originFailures: LeafRecord[] = [];

  constructor(private readonly o: ExecutorOptions) {}

  get stopped(): boolean {
    return this.failed || this.interrupted;
  }

  get wasInterrupted(): boolean {
    return this.interrupted;
  }

  /**
   * Ctrl-C: forward SIGINT to tasks in their own process group (foreground ones got it from the terminal).
   * A second Ctrl-C no longer waits for tasks that ignore the first: their whole trees are killed.
   */
  interrupt(signal: NodeJS.Signals, fromTerminal: boolean): void {
    if (this.interrupted) {
      for (const proc of this.running) proc.signal('SIGKILL');
      return;
    }
    this.interrupted = true;
    for (const proc of this.running) {
      if (proc.spec.stdio === 'piped' || !fromTerminal) proc.signal(signal);
    }
  }

  /** Runs a graph to completion; resolves false if any of its tasks failed or the run stopped. */
  async runPlan(plan: ExecutionPlan): Promise<boolean> {
    const done = new Set<PlannedTask>();
    const started = new Set<PlannedTask>();
    let ok = true;
    let active = 0;
    return new Promise<boolean>((resolve) => {
      const pump = (): void => {
        if (!this.stopped) {
          for (const task of plan.tasks) {
            if (active >= plan.limit) break;
            if (started.has(task)) continue;
            const deps = plan.deps.get(task) ?? new Set();
            if (![...deps].every((d) => done.has(d))) continue;
            started.add(task);
            active++;
            void this.runTask(task).then((success) => {
              active--;
              if (success) done.add(task);
              else {
                ok = false;
                if (!this.interrupted) this.failFast();
              }
              pump();
            });
          }
        }
        if (active === 0) resolve(ok && done.size === plan.tasks.length);
      };
      pump();
    });
  }

  private failFast(): void {
    if (this.failed) return;
    this.failed = true;
    for (const proc of this.running) proc.kill();
  }

  private async runTask(task: PlannedTask): Promise<boolean> {
    for (const item of task.items) {
      if (this.stopped) return false;
      let ok: boolean;
      if (item.kind === 'nested') ok = await this.runPlan(item.plan);
      else if (item.kind === 'echo') ok = this.runEcho(task, item);
      else {
        const { leaf, killed } = await this.runSpawn(task, item);
        ok = !isFailure(leaf);
        if (!ok && !killed) this.originFailures.push(leaf);
      }
      if (!ok) return false;
    }
    return true;
  }

  private writerFor(task: PlannedTask): LeafWriter {
    return createLeafWriter({ mode: this.o.mode, label: taskLabel(task.node.task), color: this.o.color, terminal: this.o.terminal });
  }

  private relCwd(cwd: string): string {
    return path.relative(this.o.ws.root, cwd).split(path.sep).join('/');
  }

  private leaf(task: PlannedTask, item: SpawnItem | EchoItem, result: LeafResult): LeafRecord {
    return {
      packageName: task.node.task.pkg.name,
      taskName: task.node.task.name,
      command: item.text,
      cwd: this.relCwd(item.cwd),
      result,
    };
  }

  private runEcho(task: PlannedTask, item: EchoItem): boolean {
    const writer = this.writerFor(task);
    writer.commandLine(commandLine(displayCommand(this.relCwd(item.cwd), item.text), { kind: 'disabled' }, this.o.color));
    writer.output('stdout', Buffer.from(item.output));
    writer.finish([]);
    this.leaves.push(this.leaf(task, item, { kind: 'builtin' }));
    return true;
  }

  /** Tracks a process so that fast-fail and Ctrl-C reach it. */
  private track(proc: TaskProcess): void {
    this.running.add(proc);
    void proc.done.then(() => this.running.delete(proc));
    if (this.failed) proc.kill();
  }

  private async runSpawn(task: PlannedTask, item: SpawnItem): Promise<{ leaf: LeafRecord; killed: boolean }> {
    const writer = this.writerFor(task);
    const display = displayCommand(this.relCwd(item.cwd), item.text);
    // Leaves are recorded in the order they started; the result is filled in when the item ends.
    const index = this.leaves.length;
    this.leaves.push(undefined as unknown as LeafRecord);
    let result: LeafResult;
    const procs: TaskProcess[] = [];
    const track = (proc: TaskProcess): void => {
      procs.push(proc);
      this.track(proc);
    };
    if (item.cache.enabled) {
      result = await this.o.cached.run({
        task: task.node.task, item, writer, display, track, stopped: () => this.stopped,
      });
    } else {
      const uncached = item.cache.reason === 'builtin' && item.programFingerprint === 'vt';
      writer.commandLine(commandLine(display, { kind: 'disabled' }, this.o.color));
      const proc = new TaskProcess({
        program: item.program,
        args: item.args,
        cwd: item.cwd,
        env: uncachedEnv(item, task.node.task, this.o.ws.root),
        stdio: this.o.mode === 'interleaved' || uncached ? 'inherit' : 'piped',
        onOutput: (kind, data) => writer.output(kind, data),
      });
      track(proc);
      const outcome = await proc.done;
      const errorLines = outcome.kind === 'spawnError' ? [`✗ Failed to spawn process: ${outcome.message}`] : [];
      writer.finish(errorLines);
      result = {
        kind: 'spawned',
        cache: { kind: 'disabled' },
        outcome:
          outcome.kind === 'spawnError'
            ? { kind: 'spawnError', error: { message: `Failed to spawn process: ${outcome.message}`, causes: [] } }
            : outcome.code === 0
              ? { kind: 'success' }
              : { kind: 'failed', exitCode: outcome.code },
      };
    }
    const leaf = this.leaf(task, item, result);
    this.leaves[index] = leaf;
    return { leaf, killed: procs.some((p) => p.killedByVt) };
  }

  /**
   * Exit code policy (cli.md §7). Tasks killed by fast-fail count as failed in the summary, but the code
   * is that of the failure that started it.
   */
  exitCode(): number {
    const failures = this.originFailures;
    if (failures.length === 0) return this.leaves.some(isFailure) ? 1 : 0;
    const infra = failures.some((l) => {
      const r = l.result;
      return r.kind === 'spawned' && (r.outcome.kind === 'spawnError' || r.outcome.infraError !== undefined);
    });
    if (failures.length > 1 || infra) return 1;
    const r = failures[0]!.result;
    if (r.kind === 'spawned' && r.outcome.kind === 'failed') return Math.min(255, Math.max(1, r.outcome.exitCode));
    return 1;
  }
}
