/**
 * The user's inputs, in the order they gave them (which is the build order): sniffed, re-orderable,
 * removable, correctable. Reactive through Svelte runes so chips and the pipeline follow it.
 */
import type { Collected, FolderFile } from './collect.ts';
import { describeRole, roleOfSniffed, type InputRole, type SniffedKind } from './kinds.ts';

/** A folder's `dirsSeen`: false when the browser listed only its files, so its empty directories are unknown. */
export type InputSource =
  { type: 'file'; file: File } | { type: 'text'; text: string } | { type: 'folder'; files: FolderFile[]; dirs: string[]; dirsSeen: boolean };

export interface InputItem {
  /** Stable id: chips are keyed by it, context hashes are cached by it. */
  id: number;
  name: string;
  source: InputSource;
  /** Bytes (sum over a folder). */
  size: number;
  /** What the sniffer said (null while sniffing). */
  sniffed: SniffedKind | 'folder' | null;
  /** What the app uses it as: the sniffer's guess until the user corrects it. */
  role: InputRole;
  /** True once the user picked the role by hand. */
  corrected: boolean;
}

/** Reads the first bytes of an input for the sniffer. */
export type Sniffer = (name: string, head: Uint8Array) => SniffedKind | Promise<SniffedKind>;

const HEAD_BYTES = 64 * 1024;

export class InputList {
  // Raw state, replaced immutably: a folder can hold thousands of File handles that must not be
  // wrapped in deep reactive proxies.
  items: InputItem[] = $state.raw([]);
  #nextId = 1;
  #sniff: Sniffer;

  constructor(sniff: Sniffer) {
    this.#sniff = sniff;
  }

  /** Adds dropped/picked inputs, sniffing each file by content. */
  async addCollected(collected: Collected[]): Promise<void> {
    const added: InputItem[] = collected.map((c) =>
      c.type === 'file'
        ? this.#newItem(c.file.name, { type: 'file', file: c.file }, c.file.size, null, 'ignore')
        : this.#newItem(c.name + '/', { type: 'folder', files: c.files, dirs: c.dirs, dirsSeen: c.dirsSeen }, sumSizes(c.files), 'folder', 'context'),
    );
    this.items = [...this.items, ...added];
    await Promise.all(
      added.map(async (item) => {
        if (item.source.type !== 'file') return;
        const head = new Uint8Array(await item.source.file.slice(0, HEAD_BYTES).arrayBuffer());
        this.#setSniffed(item.id, await this.#sniff(item.name, head));
      }),
    );
  }

  /** Adds a pasted log (or anything pasted: it is sniffed like a file). */
  addText(text: string, name = 'pasted log'): void {
    const item = this.#newItem(name, { type: 'text', text }, text.length, null, 'log');
    this.items = [...this.items, item];
    // A paste box is for logs: only trust the sniffer when it recognises something else for sure.
    const settle = (sniffed: SniffedKind) => this.#setSniffed(item.id, sniffed === 'unknown' ? 'log' : sniffed);
    const sniffed = this.#sniff(name, new TextEncoder().encode(text.slice(0, HEAD_BYTES)));
    if (sniffed instanceof Promise) void sniffed.then(settle);
    else settle(sniffed);
  }

  remove(id: number): void {
    this.items = this.items.filter((i) => i.id !== id);
  }

  clear(): void {
    this.items = [];
  }

  /** Moves an item one place up (-1) or down (+1). */
  move(id: number, delta: -1 | 1): void {
    const from = this.items.findIndex((i) => i.id === id);
    const to = from + delta;
    if (from < 0 || to < 0 || to >= this.items.length) return;
    const next = [...this.items];
    const [moved] = next.splice(from, 1);
    if (moved) next.splice(to, 0, moved);
    this.items = next;
  }

  setRole(id: number, role: InputRole): void {
    this.#update(id, (item) => ({ ...item, role, corrected: true }));
  }

  /** The chip text for an item: its role and, for per-build roles, which build. */
  describe(item: InputItem): string {
    const same = this.items.filter((i) => i.role === item.role);
    return describeRole(item.role, same.indexOf(item) + 1, same.length);
  }

  byRole(role: InputRole): InputItem[] {
    return this.items.filter((i) => i.role === role);
  }

  #newItem(name: string, source: InputSource, size: number, sniffed: InputItem['sniffed'], role: InputRole): InputItem {
    return { id: this.#nextId++, name, source, size, sniffed, role, corrected: false };
  }

  #setSniffed(id: number, kind: SniffedKind): void {
    this.#update(id, (item) => ({ ...item, sniffed: kind, role: item.corrected ? item.role : roleOfSniffed(kind) }));
  }

  #update(id: number, change: (item: InputItem) => InputItem): void {
    this.items = this.items.map((i) => (i.id === id ? change(i) : i));
  }
}

function sumSizes(files: FolderFile[]): number {
  let n = 0;
  for (const f of files) n += f.file.size;
  return n;
}
