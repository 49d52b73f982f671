// What the engine worker found on this device, shown in the header.
import * as v from 'valibot';
import { ComputeInfo } from '../../../shared/schema/compute.ts';
import { handleError } from '../errors.ts';
import { engine } from '../workers/engine.ts';

class ComputeState {
  info = $state<ComputeInfo | null>(null);
  error = $state<string | null>(null);
  #detecting: Promise<void> | undefined;

  detect(): Promise<void> {
    this.#detecting ??= engine
      .call(undefined, 'detectCompute')
      .then((answer) => {
        this.info = v.parse(ComputeInfo, answer);
      })
      .catch((error: unknown) => {
        this.error = handleError(error, 'Compute detection failed');
      });
    return this.#detecting;
  }
}

export const compute = new ComputeState();
