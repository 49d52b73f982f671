import { expose } from 'comlink';
import { describe, expect, it } from 'vitest';
import { EngineBridge, type EngineBridgeOptions } from './engine-bridge.ts';

/** A stand-in worker: the API runs on the other end of a MessageChannel in this thread. */
function channelWorker(api: object, onTerminate: () => void): Worker {
  const { port1, port2 } = new MessageChannel();
  expose(api, port2);
  return Object.assign(port1, {
    terminate() {
      port1.close();
      port2.close();
      onTerminate();
    },
    onerror: null,
  }) as unknown as Worker;
}

function createBridge(idleMs = 0, start?: EngineBridgeOptions['start']) {
  const log = { started: 0, terminated: 0, calls: [] as string[] };
  const api = {
    readFile: async () => {
      log.calls.push('readFile');
      return { columns: [{ name: 'x' }] };
    },
    useBackend: async (name: string | null) => {
      log.calls.push(`useBackend ${name}`);
      return name;
    },
    // Never settles: stands for a long computation that only terminate() can stop.
    selfTest: () => new Promise(() => {}),
  };
  const bridge = new EngineBridge(
    () => {
      log.started++;
      return channelWorker(api, () => log.terminated++);
    },
    { idleMs, start },
  );
  return { bridge, log };
}

describe('EngineBridge', () => {
  it('forwards calls to the worker', async () => {
    const { bridge, log } = createBridge();
    const bytes = new Uint8Array([1]);
    expect(await bridge.call(undefined, 'readFile', bytes)).toEqual({ columns: [{ name: 'x' }] });
    expect(log.started).toBe(1);
    bridge.terminate();
  });

  it('terminates the worker on abort and starts a fresh one for the next call', async () => {
    const { bridge, log } = createBridge();
    const controller = new AbortController();
    const running = bridge.call(controller.signal, 'selfTest');
    const other = bridge.call(undefined, 'selfTest');
    controller.abort();
    await expect(running).rejects.toMatchObject({ name: 'AbortError' });
    // A call sharing the killed worker is told it was stopped, not left hanging.
    await expect(other).rejects.toMatchObject({ name: 'AbortError' });
    expect(log.terminated).toBe(1);
    expect(bridge.running).toBe(false);

    expect((await bridge.call(undefined, 'readFile', new Uint8Array(1))).columns).toHaveLength(1);
    expect(log.started).toBe(2);
    expect(bridge.workersStarted).toBe(2);
    bridge.terminate();
  });

  it('refuses a call whose signal is already aborted without starting a worker', async () => {
    const { bridge, log } = createBridge();
    await expect(bridge.call(AbortSignal.abort(), 'readFile', new Uint8Array(1))).rejects.toMatchObject({
      name: 'AbortError',
    });
    expect(log.started).toBe(0);
  });

  it('shuts an idle worker down', async () => {
    const { bridge, log } = createBridge(20);
    await bridge.call(undefined, 'readFile', new Uint8Array(1));
    expect(bridge.running).toBe(true);
    await new Promise((r) => setTimeout(r, 80));
    expect(bridge.running).toBe(false);
    expect(log.terminated).toBe(1);
  });

  it('runs the start-up step once per worker, before its first call', async () => {
    const { bridge, log } = createBridge(0, (remote) => remote.useBackend('wasm'));
    await bridge.call(undefined, 'readFile', new Uint8Array(1));
    await bridge.call(undefined, 'readFile', new Uint8Array(1));
    bridge.terminate();
    await bridge.call(undefined, 'readFile', new Uint8Array(1));
    expect(log.calls).toEqual(['useBackend wasm', 'readFile', 'readFile', 'useBackend wasm', 'readFile']);
  });
});
