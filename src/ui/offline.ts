/**
 * Works offline once loaded: a service worker (public/sw.js) keeps the app's own files, and right after
 * it takes control the page loads both workers and the WASM hasher once, so every file the app will ever
 * need has passed through it — even if the first analysis happens after the network is gone.
 */
import { warmUpAnalyzeWorker } from './analyze-client.ts';
import { warmUpContextWorker } from './context-client.ts';

/** Resolves true once everything the app needs is cached (false where service workers are unavailable). */
export async function prepareOffline(): Promise<boolean> {
  // Service workers need a secure context (https or localhost); dev builds serve modules that change.
  if (!import.meta.env.PROD || !('serviceWorker' in navigator) || !window.isSecureContext) return false;
  try {
    await navigator.serviceWorker.register(new URL('sw.js', document.baseURI), { scope: './' });
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise<void>((ok) => navigator.serviceWorker.addEventListener('controllerchange', () => ok(), { once: true }));
    }
    await Promise.all([refetchLoadedFiles(), warmUpAnalyzeWorker(), warmUpContextWorker()]);
    return true;
  } catch {
    // Offline support is a bonus: the app works the same online without it.
    return false;
  }
}

/**
 * The page's own script and styles loaded before the service worker took control, so it never saw them:
 * fetch them once more through it (they come from the HTTP cache, and the worker keeps a copy).
 */
async function refetchLoadedFiles(): Promise<void> {
  const urls = new Set<string>();
  for (const entry of performance.getEntriesByType('resource')) urls.add(entry.name);
  for (const el of document.querySelectorAll<HTMLScriptElement | HTMLLinkElement>('script[src], link[href]')) {
    urls.add(el instanceof HTMLScriptElement ? el.src : el.href);
  }
  const own = [...urls].filter((u) => u.startsWith(location.origin + '/'));
  await Promise.all(own.map((u) => fetch(u).catch(() => undefined)));
}
