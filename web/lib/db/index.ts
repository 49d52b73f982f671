// The app's local store, opened once.
import { systemClock } from './clock.ts';
import { SigmaDatabase } from './database.ts';
import { createRepositories } from './repositories.ts';

export const db = new SigmaDatabase();
export const repositories = createRepositories(db, systemClock);
