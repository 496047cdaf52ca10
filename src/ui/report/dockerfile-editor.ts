/**
 * The read-only CodeMirror 6 view of the Dockerfile: a gutter mark per step line (root miss, rebuilt,
 * cached), lint diagnostics on the lines that missed, and the selected step's line highlighted.
 * The marks and the selection travel as state effects, so the view is built once per Dockerfile.
 */
import { EditorState, RangeSet, StateEffect, StateField, type Extension } from '@codemirror/state';
import { Decoration, EditorView, GutterMarker, gutter, lineNumbers, type DecorationSet } from '@codemirror/view';
import { setDiagnostics, type Diagnostic } from '@codemirror/lint';

export type LineMarkKind = 'root-miss' | 'cascade' | 'built' | 'cached' | 'error';

export interface LineMark {
  /** 1-based line. */
  line: number;
  kind: LineMarkKind;
  /** Step label and what happened, for the tooltip and the diagnostic. */
  message: string;
}

const SYMBOL: Record<LineMarkKind, string> = { 'root-miss': '◆', cascade: '○', built: '●', cached: '✓', error: '✕' };

class StepMarker extends GutterMarker {
  constructor(
    readonly kind: LineMarkKind,
    readonly message: string,
  ) {
    super();
  }
  override eq(other: GutterMarker): boolean {
    return other instanceof StepMarker && other.kind === this.kind && other.message === this.message;
  }
  override toDOM(): Node {
    const span = document.createElement('span');
    span.className = `cm-step-mark cm-step-${this.kind}`;
    span.textContent = SYMBOL[this.kind]; // text only: step text never becomes markup
    span.title = this.message;
    return span;
  }
}

const setMarks = StateEffect.define<LineMark[]>();
const setSelectedLine = StateEffect.define<number | null>();

const marksField = StateField.define<RangeSet<GutterMarker>>({
  create: () => RangeSet.empty,
  update(value, tr) {
    for (const effect of tr.effects) {
      if (!effect.is(setMarks)) continue;
      const doc = tr.state.doc;
      const ranges = effect.value
        .filter((m) => m.line >= 1 && m.line <= doc.lines)
        .sort((a, b) => a.line - b.line)
        .map((m) => new StepMarker(m.kind, m.message).range(doc.line(m.line).from));
      value = RangeSet.of(ranges, true);
    }
    return value;
  },
});

const selectedLineDecoration = Decoration.line({ class: 'cm-selected-step' });

const selectedField = StateField.define<DecorationSet>({
  create: () => Decoration.none,
  update(value, tr) {
    for (const effect of tr.effects) {
      if (!effect.is(setSelectedLine)) continue;
      const line = effect.value;
      value = line && line <= tr.state.doc.lines ? Decoration.set([selectedLineDecoration.range(tr.state.doc.line(line).from)]) : Decoration.none;
    }
    return value;
  },
  provide: (field) => EditorView.decorations.from(field),
});

const theme = EditorView.theme({
  '&': { backgroundColor: 'var(--surface)', color: 'var(--fg)', fontSize: '0.85rem', height: '100%' },
  '.cm-scroller': { fontFamily: 'var(--mono)', lineHeight: '1.5' },
  '.cm-gutters': { backgroundColor: 'var(--surface-2)', color: 'var(--muted)', borderRight: '1px solid var(--border)' },
  '.cm-content': { caretColor: 'var(--fg)' },
  '&.cm-focused': { outline: '3px solid var(--focus)' },
  '.cm-selected-step': { backgroundColor: 'var(--select-bg)', boxShadow: 'inset 3px 0 0 var(--accent)' },
  '.cm-step-gutter .cm-gutterElement': { padding: '0 4px', textAlign: 'center', minWidth: '1.3em' },
  '.cm-step-root-miss, .cm-step-error': { color: 'var(--root)', fontWeight: '700' },
  '.cm-step-cascade': { color: 'var(--cascade)' },
  '.cm-step-built': { color: 'var(--built)' },
  '.cm-step-cached': { color: 'var(--cached)' },
});

/** Creates the view; `onLine` is called when the reader moves the cursor to a line (for timeline sync). */
export function createDockerfileView(parent: HTMLElement, text: string, onLine: (line: number) => void): EditorView {
  const extensions: Extension[] = [
    EditorState.readOnly.of(true),
    lineNumbers(),
    marksField,
    gutter({ class: 'cm-step-gutter', markers: (view) => view.state.field(marksField) }),
    selectedField,
    theme,
    EditorView.contentAttributes.of({ 'aria-label': 'Dockerfile (read-only)' }),
    EditorView.updateListener.of((update) => {
      if (!update.selectionSet || !update.transactions.some((t) => t.isUserEvent('select'))) return;
      onLine(update.state.doc.lineAt(update.state.selection.main.head).number);
    }),
  ];
  const view = new EditorView({ parent, state: EditorState.create({ doc: text, extensions }) });
  // The scroller must be reachable by keyboard so a long Dockerfile can be scrolled without a mouse
  // (axe: scrollable-region-focusable); CodeMirror gives it tabindex -1.
  view.scrollDOM.tabIndex = 0;
  view.scrollDOM.setAttribute('aria-label', 'Dockerfile, scrollable');
  return view;
}

/** Replaces the gutter marks and the diagnostics (root misses as errors, the cascade as info). */
export function showMarks(view: EditorView, marks: LineMark[]): void {
  const doc = view.state.doc;
  const diagnostics: Diagnostic[] = marks
    .filter((m) => (m.kind === 'root-miss' || m.kind === 'cascade' || m.kind === 'error') && m.line >= 1 && m.line <= doc.lines)
    .map((m) => {
      const line = doc.line(m.line);
      return { from: line.from, to: line.to, severity: m.kind === 'cascade' ? 'info' : 'error', source: 'cachewhy', message: m.message };
    });
  view.dispatch({ effects: setMarks.of(marks) });
  view.dispatch(setDiagnostics(view.state, diagnostics));
}

/** Highlights a line and scrolls it into view (null clears). */
export function showLine(view: EditorView, line: number | null): void {
  const effects: StateEffect<unknown>[] = [setSelectedLine.of(line)];
  if (line && line <= view.state.doc.lines) effects.push(EditorView.scrollIntoView(view.state.doc.line(line).from, { y: 'center' }));
  view.dispatch({ effects });
}
