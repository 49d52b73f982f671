// A single-page app: everything renders in the browser, nothing is prerendered
// except the fallback page that adapter-static writes.
export const ssr = false;
export const prerender = false;
