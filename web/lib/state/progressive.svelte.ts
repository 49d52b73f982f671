// Shows a long list a slice at a time, one slice per task, so that rendering a large table or
// a page of charts never holds the main thread past the 50 ms of a long task. Create it while a
// component initialises; it starts over whenever the list changes.
import { untrack } from 'svelte';

export class Progressive {
  /** How many items to render now. */
  count = $state(0);

  constructor(list: () => readonly unknown[], chunk = 20) {
    $effect(() => {
      const total = list().length;
      untrack(() => (this.count = Math.min(total, chunk)));
      let timer: ReturnType<typeof setTimeout> | undefined;
      const more = () => {
        if (this.count >= total) return;
        this.count = Math.min(total, this.count + chunk);
        timer = setTimeout(more, 0);
      };
      timer = setTimeout(more, 0);
      return () => clearTimeout(timer);
    });
  }
}
