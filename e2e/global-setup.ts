import type { TestProject } from 'vitest/node';
import { assertChromium } from './browser.ts';
import { startServer, type TestServer } from './server.ts';

let server: TestServer | undefined;

export async function setup(project: TestProject): Promise<void> {
  assertChromium();
  server = await startServer();
  project.provide('baseUrl', server.url);
}

export async function teardown(): Promise<void> {
  await server?.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string;
  }
}
