/**
 * The built-in example: fetched from the page's own origin (public/examples/<id>/) and handed to the
 * same pipeline as dropped files, so it exercises everything a user's files would.
 */
import type { Collected } from './inputs/collect.ts';

export interface ExampleManifest {
  id: string;
  title: string;
  about: string;
  files: { name: string; about?: string }[];
}

export const DEFAULT_EXAMPLE = 'seed-replica';

/** Loads the example's files as `File`s, in the manifest's order (the build order). */
export async function loadExample(id = DEFAULT_EXAMPLE): Promise<{ manifest: ExampleManifest; files: Collected[] }> {
  // Relative to the document, so the app works under any base path.
  const folder = new URL(`examples/${id}/`, document.baseURI);
  const manifestResponse = await fetch(new URL('manifest.json', folder));
  if (!manifestResponse.ok) throw new Error(`the example's manifest is missing (HTTP ${manifestResponse.status})`);
  const manifest = (await manifestResponse.json()) as ExampleManifest;
  const files = await Promise.all(
    manifest.files.map(async ({ name }): Promise<Collected> => {
      const response = await fetch(new URL(name, folder));
      if (!response.ok) throw new Error(`the example file ${name} is missing (HTTP ${response.status})`);
      const blob = await response.blob();
      return { type: 'file', file: new File([blob], name, { type: blob.type }) };
    }),
  );
  return { manifest, files };
}
