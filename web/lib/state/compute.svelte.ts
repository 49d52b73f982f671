// What the engine worker found on this device, shown in the header, and the backend the user
// forced in Settings (null: automatic). When the forced one does not work here, the engine
// falls back to the next that does, and `fellBack` says so.
import * as v from 'valibot';
import { ComputeInfo, type BackendName } from '../../../shared/schema/compute.ts';
import { handleError } from '../errors.ts';
import { analysisEngine, engine } from '../workers/engine.ts';
import { readBackendPreference, saveBackendPreference } from './backend-preference.ts';

class ComputeState {
  info = $state<ComputeInfo | null>(null);
  error = $state<string | null>(null);
  preferred = $state<BackendName | null>(typeof window === 'undefined' ? null : readBackendPreference());
  #detecting: Promise<void> | undefined;

  /** The forced backend when it does not work here (the engine uses info.backend instead). */
  get fellBack(): BackendName | null {
    return this.info && this.preferred && this.info.backend !== this.preferred ? this.preferred : null;
  }

  detect(): Promise<void> {
    this.#detecting ??= engine
      .call(undefined, 'detectCompute', this.preferred)
      .then((answer) => {
        this.info = v.parse(ComputeInfo, answer);
      })
      .catch((error: unknown) => {
        this.error = handleError(error, 'Compute detection failed');
      });
    return this.#detecting;
  }

  /** Saves the choice and restarts the engine workers on it: callers make sure no training runs (it would be cancelled). */
  async choose(name: BackendName | null): Promise<void> {
    saveBackendPreference(name);
    this.preferred = name;
    engine.terminate();
    analysisEngine.terminate();
    this.info = null;
    this.error = null;
    this.#detecting = undefined;
    await this.detect();
  }
}

export const compute = new ComputeState();
