import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { capability, core } from '@app/proto';
import { FailedPreconditionError, InvalidArgumentError, NotFoundError, systemClock, type Clock } from '@app/runtime';
import { waitFor } from '@app/testing';
import type { CapabilityBackend } from '../backend/capability-backend.js';
import type { ClusterCapabilities } from '../backend/capability-ports.js';
import { SqliteTaskStore } from '../task/sqlite-task-store.js';
import type { TaskStore } from '../task/task-store.js';
import { TestNodeReach } from './test-node-reach.js';

/** What the suite hands a capability when it opens it: the same dataDir (and task file) again after a restart. */
export interface CapabilityLifecycleContext {
  /** A fresh temporary directory per test, for the capability's own storage; the same one after a restart. */
  dataDir: string;
  /** The subject's openTasks(dataDir) (by default a SqliteTaskStore on `<dataDir>/tasks.db`), again after a restart; the suite closes it. */
  tasks: TaskStore;
  /** The agents as the suite switches them on and off; build the backend and the driver over it. */
  nodes: TestNodeReach;
  clock: Clock;
}

/** One running instance of the capability (one gateway process), as the suite drives and observes it. */
export interface CapabilityLifecycleFixture {
  /** Built, not started: the suite calls start() (resume) and stop(). */
  backend: CapabilityBackend;
  /** The ClusterCapabilities the backend was built with, to check what install and uninstall did. */
  clusters: ClusterCapabilities;
  /** Registers a cluster (as a join does) the capability can then be installed on. */
  registerCluster(clusterId: string): Promise<void>;
  /** The cluster's node syncs this capability the way an agent does, reporting `conditions`. */
  reportSync(clusterId: string, conditions: string[]): Promise<void>;
  /** Whether the node configuration the driver keeps enables the capability on the cluster. */
  nodeEnabled(clusterId: string): Promise<boolean>;
  /** Closes the capability's storage (not `tasks`); called after backend.stop(). */
  close(): Promise<void>;
}

export interface CapabilityLifecycleSubject {
  /** The capability's name, as Info reports it. */
  name: string;
  /** Opens the capability on the context's storage: on a fresh dataDir first, on the same one after a restart. */
  open(context: CapabilityLifecycleContext): Promise<CapabilityLifecycleFixture>;
  /**
   * Opens the task store of a test: on a fresh dataDir first, for the same
   * tasks after a restart; its close() frees what it opened. Default: a
   * SqliteTaskStore on `<dataDir>/tasks.db` (another adapter runs the suite too).
   */
  openTasks?(dataDir: string): Promise<TaskStore>;
}

/** How long the suite waits for a task to reach a state (real timers, short delays). */
const WAIT_MS = 10_000;
/** An initial delay no test waits out: the task stays Pending for the test's whole life. */
const LONG_DELAY = '1h';

/**
 * The capability.Backend lifecycle every capability built on the kit must
 * pass, as Jest suites: Info; install (unknown cluster, reachable or not,
 * ignoreWarnings, idempotent); Status before and after the first sync;
 * uninstall (its preconditions and options, Pending → Running → Completed,
 * the capability removed); cancel (compensation: still installed and
 * enabled); UninstallStatus; and a restart during a Pending uninstall that
 * resumes it. Storage is real: a SqliteTaskStore in a temporary directory
 * (or the subject's openTasks),
 * and whatever the subject's open() keeps there. Timers are real; every wait
 * has a deadline.
 *
 * Call it at the top level of a spec file (or inside a describe).
 */
export function describeCapabilityLifecycle(subject: CapabilityLifecycleSubject): void {
  describe(`capability lifecycle: ${subject.name}`, () => {
    const cluster = 'c1';
    let dataDir: string;
    let tasks: TaskStore;
    let nodes: TestNodeReach;
    let fixture: CapabilityLifecycleFixture;
    let backend: CapabilityBackend;
    let running = false;

    async function open(): Promise<void> {
      tasks = subject.openTasks ? await subject.openTasks(dataDir) : new SqliteTaskStore(join(dataDir, 'tasks.db'));
      fixture = await subject.open({ dataDir, tasks, nodes, clock: systemClock });
      backend = fixture.backend;
      running = true;
    }

    async function close(): Promise<void> {
      if (!running) return;
      running = false;
      await backend.stop();
      await fixture.close();
      await tasks.close();
    }

    /** Stops this "process" and opens a new one on the same storage; resolves with how many tasks start() resumed. */
    async function restart(): Promise<number> {
      await close();
      await open();
      return backend.start();
    }

    const installed = () => fixture.clusters.capability(cluster, subject.name);
    const uninstallState = async () => (await backend.uninstallStatus(cluster)).state;
    const waitForUninstall = (state: core.TaskState) =>
      waitFor(async () => (await uninstallState()) === state, {
        timeoutMs: WAIT_MS,
        description: `the uninstall to be ${core.TaskState[state]}`,
      });

    beforeEach(async () => {
      dataDir = mkdtempSync(join(tmpdir(), `capability-lifecycle-${subject.name}-`));
      nodes = new TestNodeReach();
      await open();
      await backend.start();
      await fixture.registerCluster(cluster);
    });

    afterEach(async () => {
      await close();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('Info names the capability; InstallerTemplate is a template', () => {
      expect(backend.info()).toMatchObject({ name: subject.name });
      expect(backend.installerTemplate().template).toEqual(expect.any(String));
      expect(backend.installerTemplate().template.length).toBeGreaterThan(0);
    });

    it('refuses to install on an unknown cluster with NotFoundError', async () => {
      await expect(backend.install('no-such-cluster', false)).rejects.toThrow(NotFoundError);
      await expect(backend.install('no-such-cluster', true)).rejects.toThrow(NotFoundError);
      expect(nodes.callsFor('no-such-cluster')).toEqual([]);
    });

    it('installs: Success when the node is reachable, which is asked to sync the capability', async () => {
      expect(await installed()).toBeUndefined();
      expect(await backend.install(cluster, false)).toEqual({
        status: capability.InstallResponseStatus.Success,
        message: '',
      });
      expect(await installed()).toEqual({ name: subject.name });
      expect(await fixture.nodeEnabled(cluster)).toBe(true);
      expect(nodes.callsFor(cluster)).toEqual([{ clusterId: cluster, capabilityNames: [subject.name] }]);
    });

    it('installs with a Warning saying why when the node is unreachable; ignoreWarnings makes it Success', async () => {
      nodes.setReachable(cluster, false);
      const warned = await backend.install(cluster, false);
      expect(warned.status).toBe(capability.InstallResponseStatus.Warning);
      expect(warned.message).toContain(cluster);
      expect(warned.message).toContain('not connected');
      // Installed regardless: the node syncs when it reconnects.
      expect(await installed()).toEqual({ name: subject.name });
      expect(await fixture.nodeEnabled(cluster)).toBe(true);

      const ignored = await backend.install(cluster, true);
      expect(ignored.status).toBe(capability.InstallResponseStatus.Success);
      expect(ignored.message).toContain('not connected');
    });

    it('installs idempotently', async () => {
      await backend.install(cluster, false);
      expect(await backend.install(cluster, false)).toEqual({
        status: capability.InstallResponseStatus.Success,
        message: '',
      });
      expect(await installed()).toEqual({ name: subject.name });
      expect(await fixture.nodeEnabled(cluster)).toBe(true);
    });

    it('Status is NotFound before the first sync, then what the node last reported', async () => {
      await expect(backend.status('no-such-cluster')).rejects.toThrow(NotFoundError);
      await backend.install(cluster, false);
      await expect(backend.status(cluster)).rejects.toThrow(NotFoundError);

      const before = Date.now();
      await fixture.reportSync(cluster, ['Example Pending']);
      const status = await backend.status(cluster);
      expect(status).toMatchObject({ enabled: true, conditions: ['Example Pending'] });
      expect(status.lastSync!.getTime()).toBeGreaterThanOrEqual(before);
      expect(status.lastSync!.getTime()).toBeLessThanOrEqual(Date.now());
      expect(typeof status.lastRevision?.revision).toBe('bigint');

      await fixture.reportSync(cluster, []);
      expect((await backend.status(cluster)).conditions).toEqual([]);
    });

    it('refuses to uninstall what is not installed with FailedPrecondition', async () => {
      await expect(backend.uninstall(cluster, {})).rejects.toThrow(FailedPreconditionError);
      await expect(backend.uninstall('no-such-cluster', {})).rejects.toThrow(NotFoundError);
      await expect(backend.uninstallStatus(cluster)).rejects.toThrow(NotFoundError);
    });

    it('refuses bad uninstall options with InvalidArgument and changes nothing', async () => {
      await backend.install(cluster, false);
      await expect(backend.uninstall(cluster, { deleteStoreData: true })).rejects.toThrow(InvalidArgumentError);
      await expect(backend.uninstall(cluster, { initialDelay: 'soon' })).rejects.toThrow(InvalidArgumentError);
      await expect(backend.uninstall(cluster, { deleteStoredData: 'yes' })).rejects.toThrow(InvalidArgumentError);
      expect(await installed()).toEqual({ name: subject.name });
      expect(await fixture.nodeEnabled(cluster)).toBe(true);
      await expect(backend.uninstallStatus(cluster)).rejects.toThrow(NotFoundError);
    });

    it('uninstalls: Pending with a deletionTimestamp, then Running, then Completed and removed', async () => {
      await backend.install(cluster, false);
      const before = Date.now();
      await backend.uninstall(cluster, { initialDelay: '200ms', deleteStoredData: true });
      const marked = await installed();
      expect(marked?.deletionTimestamp?.getTime()).toBeGreaterThanOrEqual(before);
      expect(await uninstallState()).toBe(core.TaskState.Pending);

      await waitForUninstall(core.TaskState.Completed);
      expect(await installed()).toBeUndefined();
      expect(await fixture.nodeEnabled(cluster)).toBe(false);
      const { transitions } = await backend.uninstallStatus(cluster);
      expect(transitions.map((t) => t.state)).toEqual([
        core.TaskState.Pending,
        core.TaskState.Running,
        core.TaskState.Completed,
      ]);
      const times = transitions.map((t) => t.timestamp!.getTime());
      expect(times[0]).toBeGreaterThanOrEqual(before);
      expect(times[1]).toBeGreaterThanOrEqual(times[0] + 190); // the initial delay, give or take a timer tick
      expect(times[2]).toBeGreaterThanOrEqual(times[1]);

      // Installable again once removed.
      expect((await backend.install(cluster, false)).status).toBe(capability.InstallResponseStatus.Success);
      expect(await installed()).toEqual({ name: subject.name });
      expect(await fixture.nodeEnabled(cluster)).toBe(true);
    });

    it('refuses a second uninstall, and an install, while one is Pending', async () => {
      await backend.install(cluster, false);
      await backend.uninstall(cluster, { initialDelay: LONG_DELAY });
      await expect(backend.uninstall(cluster, {})).rejects.toThrow(FailedPreconditionError);
      await expect(backend.install(cluster, false)).rejects.toThrow(FailedPreconditionError);
      expect(await uninstallState()).toBe(core.TaskState.Pending);
    });

    it('cancels a Pending uninstall: Canceled, still installed, deletionTimestamp cleared, node enabled and synced', async () => {
      await backend.install(cluster, false);
      await backend.uninstall(cluster, { initialDelay: LONG_DELAY, deleteStoredData: true });
      expect((await installed())?.deletionTimestamp).toBeInstanceOf(Date);
      const syncsBefore = nodes.callsFor(cluster).length;

      await backend.cancelUninstall(cluster);
      const status = await backend.uninstallStatus(cluster);
      expect(status.state).toBe(core.TaskState.Canceled);
      expect(status.transitions.map((t) => t.state)).toEqual([core.TaskState.Pending, core.TaskState.Canceled]);
      expect(await installed()).toEqual({ name: subject.name });
      expect(await fixture.nodeEnabled(cluster)).toBe(true);
      expect(nodes.callsFor(cluster).slice(syncsBefore)).toEqual([
        { clusterId: cluster, capabilityNames: [subject.name] },
      ]);

      // A canceled uninstall may be started again.
      await backend.uninstall(cluster, { initialDelay: 0 });
      await waitForUninstall(core.TaskState.Completed);
      expect(await installed()).toBeUndefined();
    });

    it('refuses to cancel a finished uninstall with FailedPrecondition', async () => {
      await backend.install(cluster, false);
      await backend.uninstall(cluster, { initialDelay: 0 });
      await waitForUninstall(core.TaskState.Completed);
      await expect(backend.cancelUninstall(cluster)).rejects.toThrow(FailedPreconditionError);
      expect(await uninstallState()).toBe(core.TaskState.Completed);

      await backend.install(cluster, false);
      await backend.uninstall(cluster, { initialDelay: LONG_DELAY });
      await backend.cancelUninstall(cluster);
      await expect(backend.cancelUninstall(cluster)).rejects.toThrow(FailedPreconditionError);
      expect(await uninstallState()).toBe(core.TaskState.Canceled);
    });

    it('answers UninstallStatus and CancelUninstall of an uninstall never started with NotFound', async () => {
      await backend.install(cluster, false);
      await expect(backend.uninstallStatus(cluster)).rejects.toThrow(NotFoundError);
      await expect(backend.cancelUninstall(cluster)).rejects.toThrow(NotFoundError);
      await expect(backend.uninstallStatus('no-such-cluster')).rejects.toThrow(NotFoundError);
    });

    it('resumes a Pending uninstall after a restart on the same storage and completes it', async () => {
      await backend.install(cluster, false);
      await backend.uninstall(cluster, { initialDelay: '1s', deleteStoredData: true });
      expect(await uninstallState()).toBe(core.TaskState.Pending);

      expect(await restart()).toBe(1);
      // The new process sees the mark and the task where the old one left them.
      expect((await installed())?.deletionTimestamp).toBeInstanceOf(Date);
      await waitForUninstall(core.TaskState.Completed);
      expect(await installed()).toBeUndefined();
      expect(await fixture.nodeEnabled(cluster)).toBe(false);
      const { transitions, logs } = await backend.uninstallStatus(cluster);
      expect(transitions.map((t) => t.state)).toEqual([
        core.TaskState.Pending,
        core.TaskState.Running,
        core.TaskState.Completed,
      ]);
      expect(logs.map((entry) => entry.msg)).toContain('resumed after a restart');
    });
  });
}
