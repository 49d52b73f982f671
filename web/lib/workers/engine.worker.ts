// The engine worker: only routes calls to engine-api.ts.
import { expose } from 'comlink';
import { engineApi } from './engine-api.ts';

expose(engineApi);
