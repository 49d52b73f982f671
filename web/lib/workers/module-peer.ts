// Both ends of starting a kernel peer worker in the browser: the first message carries our compiled
// kernels module, the peer instantiates its own copy and answers once it is ready, and every later
// message is a request for the peer (parallel-mlp.ts and parallel-gp.ts define them).

/** The caller's end: starts the worker `create` makes (Vite bundles its file) on `module`. */
export async function startModulePeer<Request>(
  create: () => Worker,
  module: WebAssembly.Module,
): Promise<{ post(request: Request): void; close(): void }> {
  const worker = create();
  await new Promise<void>((resolve, reject) => {
    worker.onmessage = () => resolve();
    worker.onerror = (event) => reject(new Error(event.message || 'A kernel worker failed to start'));
    worker.postMessage({ module });
  });
  worker.onmessage = null;
  return { post: (request) => worker.postMessage(request), close: () => worker.terminate() };
}

/** The peer's end, in the worker's entry file: `create` builds the peer from the module. */
export function serveModulePeer<Request>(create: (module: WebAssembly.Module) => Promise<{ handle(request: Request): void }>): void {
  let peer: { handle(request: Request): void } | null = null;
  self.onmessage = async (event: MessageEvent<{ module: WebAssembly.Module } | Request>) => {
    if (peer) {
      peer.handle(event.data as Request);
      return;
    }
    // Nothing else arrives before this worker says it is ready.
    peer = await create((event.data as { module: WebAssembly.Module }).module);
    self.postMessage('ready');
  };
}
