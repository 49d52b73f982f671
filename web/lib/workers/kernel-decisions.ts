// The automatic kernel choices of this device (workload → kernel name), kept in a small
// IndexedDB database of their own so that the calibration runs once per device and workload.
// Workers have IndexedDB but not localStorage. Failures only cost a new calibration.
const DB_NAME = 'sigma-kernels';
const STORE = 'decisions';

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

export async function loadKernelDecisions(): Promise<Record<string, string>> {
  try {
    const db = await open();
    return await new Promise((resolve, reject) => {
      const out: Record<string, string> = {};
      const request = db.transaction(STORE, 'readonly').objectStore(STORE).openCursor();
      request.onsuccess = () => {
        const cursor = request.result;
        if (!cursor) {
          db.close();
          resolve(out);
          return;
        }
        if (typeof cursor.value === 'string') out[String(cursor.key)] = cursor.value;
        cursor.continue();
      };
      request.onerror = () => reject(request.error);
    });
  } catch {
    return {};
  }
}

export async function saveKernelDecision(key: string, kernel: string): Promise<void> {
  try {
    const db = await open();
    await new Promise<void>((resolve, reject) => {
      const transaction = db.transaction(STORE, 'readwrite');
      transaction.objectStore(STORE).put(kernel, key);
      transaction.oncomplete = () => resolve();
      transaction.onerror = () => reject(transaction.error);
    });
    db.close();
  } catch {
    // Not remembered: the next session calibrates again.
  }
}

export async function clearKernelDecisions(): Promise<void> {
  try {
    const db = await open();
    await new Promise<void>((resolve, reject) => {
      const transaction = db.transaction(STORE, 'readwrite');
      transaction.objectStore(STORE).clear();
      transaction.oncomplete = () => resolve();
      transaction.onerror = () => reject(transaction.error);
    });
    db.close();
  } catch {
    // Nothing stored.
  }
}
