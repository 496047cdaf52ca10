/**
 * Turns what the user dropped or picked into plain lists of files, walking folders.
 *
 * Dropped folders only reveal their content through the (non-standard but universal) entry API:
 * `DataTransferItem.webkitGetAsEntry()` → `FileSystemDirectoryEntry.createReader().readEntries()`, which
 * returns entries in batches until an empty batch. A folder chosen with `showDirectoryPicker()` (Chromium)
 * is walked through its directory handles. Both see empty directories. `<input webkitdirectory>`, the
 * fallback elsewhere, gives only a flat list of files with `webkitRelativePath` = `folder/sub/file`.
 */

/** One file of a folder, with its path relative to the folder root (`src/app.ts`). */
export interface FolderFile {
  path: string;
  file: File;
}

/**
 * `dirs`: the folder's directories, as paths relative to its root (`src`, `src/empty`). BuildKit hashes
 * directories too, so an empty one must not be lost: a drop or a directory picker sees them all
 * (`dirsSeen`); a `webkitdirectory` pick lists files only, so its `dirs` is empty and only the parents of
 * its files are known.
 */
export type Collected = { type: 'file'; file: File } | { type: 'folder'; name: string; files: FolderFile[]; dirs: string[]; dirsSeen: boolean };

/** Reads a drop: files stay files, each dropped directory becomes one folder input. */
export async function collectDrop(data: DataTransfer): Promise<Collected[]> {
  // The entries must be taken synchronously, before the first await: the DataTransfer is emptied
  // when the event handler returns.
  const entries: (FileSystemEntry | null)[] = [];
  const plainFiles: File[] = [];
  for (const item of Array.from(data.items)) {
    if (item.kind !== 'file') continue;
    const entry = typeof item.webkitGetAsEntry === 'function' ? item.webkitGetAsEntry() : null;
    if (entry) entries.push(entry);
    else {
      const f = item.getAsFile();
      if (f) plainFiles.push(f);
    }
  }
  if (entries.length === 0 && plainFiles.length === 0) {
    return Array.from(data.files).map((file) => ({ type: 'file', file }));
  }
  const out: Collected[] = plainFiles.map((file) => ({ type: 'file', file }));
  for (const entry of entries) {
    if (!entry) continue;
    if (entry.isDirectory) {
      const files: FolderFile[] = [];
      const dirs: string[] = [];
      await walkDirectory(entry as FileSystemDirectoryEntry, '', files, dirs);
      out.push({ type: 'folder', name: entry.name, files, dirs, dirsSeen: true });
    } else {
      out.push({ type: 'file', file: await fileOf(entry as FileSystemFileEntry) });
    }
  }
  return out;
}

/** Reads an `<input type=file webkitdirectory>` pick: one folder input named after the folder. */
export function collectFolderPick(list: FileList): Collected[] {
  const files = Array.from(list);
  if (files.length === 0) return [];
  const first = files[0]?.webkitRelativePath ?? '';
  const root = first.split('/')[0] ?? 'folder';
  return [
    {
      type: 'folder',
      name: root,
      files: files.map((file) => ({ path: stripRoot(file.webkitRelativePath || file.name), file })),
      dirs: [],
      dirsSeen: false,
    },
  ];
}

/** The parts of the File System Access API used here (Chromium's; not in TypeScript's DOM library). */
interface DirectoryHandle {
  kind: 'directory';
  name: string;
  values(): AsyncIterable<DirectoryHandle | FileHandle>;
}
interface FileHandle {
  kind: 'file';
  name: string;
  getFile(): Promise<File>;
}
type DirectoryPicker = (options?: { id?: string; mode?: 'read' }) => Promise<DirectoryHandle>;

/** Chromium's folder picker, when the browser has one; elsewhere a folder is chosen with `<input webkitdirectory>`. */
export function directoryPicker(): DirectoryPicker | null {
  const picker = (globalThis as { showDirectoryPicker?: DirectoryPicker }).showDirectoryPicker;
  return typeof picker === 'function' ? picker.bind(globalThis) : null;
}

/** Reads a folder chosen with `showDirectoryPicker()`: the same shape as a dropped folder, empty directories and all. */
export async function collectDirectoryHandle(root: DirectoryHandle): Promise<Collected> {
  const files: FolderFile[] = [];
  const dirs: string[] = [];
  const walk = async (dir: DirectoryHandle, prefix: string): Promise<void> => {
    for await (const handle of dir.values()) {
      const path = prefix + handle.name;
      if (handle.kind === 'directory') {
        dirs.push(path);
        await walk(handle, path + '/');
      } else files.push({ path, file: await handle.getFile() });
    }
  };
  await walk(root, '');
  return { type: 'folder', name: root.name, files, dirs, dirsSeen: true };
}

function stripRoot(relative: string): string {
  const slash = relative.indexOf('/');
  return slash < 0 ? relative : relative.slice(slash + 1);
}

async function walkDirectory(dir: FileSystemDirectoryEntry, prefix: string, out: FolderFile[], dirs: string[]): Promise<void> {
  const reader = dir.createReader();
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((ok, fail) => reader.readEntries(ok, fail));
    if (batch.length === 0) return;
    for (const entry of batch) {
      const path = prefix + entry.name;
      if (entry.isDirectory) {
        dirs.push(path);
        await walkDirectory(entry as FileSystemDirectoryEntry, path + '/', out, dirs);
      } else if (entry.isFile) out.push({ path, file: await fileOf(entry as FileSystemFileEntry) });
    }
  }
}

function fileOf(entry: FileSystemFileEntry): Promise<File> {
  return new Promise((ok, fail) => entry.file(ok, fail));
}
