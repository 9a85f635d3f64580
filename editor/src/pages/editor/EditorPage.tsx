/**
 * The pipeline editor: palette | canvas | inspector, over one IR with undo history. The IR is the
 * source of truth; edits are the pure functions of edit/, React renders and dispatches.
 *
 * Stable hooks for end-to-end tests:
 *   - palette items: data-testid="palette-item-<componentName>" (draggable onto the canvas) with an
 *     "Add <componentName>" button
 *   - nodes: data-testid="node-<taskId>" (tasks and loops); condition groups: data-testid="group-<group>"
 *   - handles: React Flow's classes (.react-flow__handle.source / .target) plus
 *     data-testid="handle-<taskId>-<in|out>-<port>" (a loop's items input: handle-<loopId>-in-items)
 *   - the status line (refused connections with their reason, save results):
 *     role="status" data-testid="connection-status"
 *   - the first save of a new pipeline asks its name: dialog "Save the new pipeline", field "Pipeline name"
 *   - toolbar buttons by accessible name: "Save", "Run", "Export TypeScript", "Arrange", "Undo",
 *     "Redo", "Open IR file", "Keyboard shortcuts"; side tabs "Task", "Pipeline", "Problems (n)"
 *   - the run dialog's submit button: "Start run"
 */
import { ReactFlowProvider, useReactFlow } from '@xyflow/react';
import { useCallback, useDeferredValue, useEffect, useMemo, useReducer, useRef, useState, type ChangeEvent, type ReactElement } from 'react';
import { indexPipeline, isLoopNode, validatePipeline, type PipelineSpec } from 'sluice/ir';
import { ApiError, type FieldError } from '../../api/client';
import { href, navigate, useLeaveGuard } from '../../app/route';
import { arrangePositions, arrangeSpec, needsLayout } from '../../canvas/arrange';
import { CanvasActionsContext, type CanvasActions } from '../../canvas/canvasActions';
import type { FlowEdge, FlowNode } from '../../canvas/types';
import { addTask } from '../../edit/addTask';
import { disconnect } from '../../edit/bindings';
import { copyNodes, pasteFragment, type Fragment } from '../../edit/clipboard';
import { emptyPipeline } from '../../edit/emptyPipeline';
import { historyReducer, initialHistory } from '../../edit/history';
import { moveNodes, setGroupCollapsed, setNodeUi } from '../../edit/nodeUi';
import { removeNodes } from '../../edit/removeNodes';
import { Canvas, type Edit, type Selection } from './Canvas';
import { ConnectionStatus, type Notice } from './ConnectionStatus';
import { listComponents, loadVersion, saveVersion, startRun, type PaletteComponent } from './editorApi';
import { ExportDialog } from './ExportDialog';
import { downloadText, pipelineSource } from './exportSource';
import { HelpDialog } from './HelpDialog';
import { useImportedIr } from './importedIr';
import { Inspector } from './Inspector';
import { openPickedIrFile, parseIrFile } from './openIrFile';
import { Palette } from './Palette';
import { PipelinePanel } from './PipelinePanel';
import { ProblemsPanel } from './ProblemsPanel';
import { RunDialog } from './RunDialog';
import { runBlocker } from './runBlocker';
import { SaveDialog } from './SaveDialog';
import { isEditable, shortcutFor } from './shortcuts';

export { IMPORT_KEY } from './importedIr';

interface Origin {
  name: string;
  number: number;
  versionId: string;
  count: number;
  draft: boolean;
}

type Loaded = { state: 'loading' } | { state: 'error'; error: string } | { state: 'ready'; spec: PipelineSpec; origin?: Origin; notice?: Notice; key: number };

export function EditorPage(props: { pipeline?: string | undefined; version?: number | undefined }): ReactElement {
  return (
    <ReactFlowProvider>
      <EditorLoader {...props} />
    </ReactFlowProvider>
  );
}

async function withLayout(spec: PipelineSpec): Promise<PipelineSpec> {
  return needsLayout(spec) ? arrangeSpec(spec) : spec;
}

function EditorLoader({ pipeline, version }: { pipeline?: string | undefined; version?: number | undefined }): ReactElement {
  const [loaded, setLoaded] = useState<Loaded>({ state: 'loading' });
  const keyRef = useRef(0);
  const imported = useImportedIr(pipeline === undefined);
  useEffect(() => {
    let cancelled = false;
    const done = (l: Loaded): void => {
      if (!cancelled) setLoaded(l);
    };
    const load = async (): Promise<void> => {
      if (pipeline === undefined) {
        const opened = imported ? parseIrFile(imported, 'the picked file') : undefined;
        const spec = opened?.ok ? opened.spec : emptyPipeline();
        done({ state: 'ready', spec: await withLayout(spec), key: ++keyRef.current, ...(opened && !opened.ok ? { notice: { kind: 'error', text: opened.error } } : {}) });
        return;
      }
      const v = await loadVersion(pipeline, version);
      done({ state: 'ready', spec: await withLayout(v.spec), origin: { name: pipeline, number: v.number, versionId: v.version.id, count: v.count, draft: v.version.draft }, key: ++keyRef.current });
    };
    load().catch((e: unknown) => done({ state: 'error', error: e instanceof Error ? e.message : String(e) }));
    return () => {
      cancelled = true;
    };
  }, [pipeline, version, imported]);

  const openSpec = useCallback((spec: PipelineSpec, notice?: Notice) => {
    withLayout(spec).then(
      (laid) => setLoaded({ state: 'ready', spec: laid, key: ++keyRef.current, ...(notice ? { notice } : {}) }),
      (e: unknown) => setLoaded({ state: 'error', error: `could not lay the pipeline out: ${(e as Error).message}` }),
    );
  }, []);

  if (loaded.state === 'loading') return <main className="page">Loading {pipeline ? `pipeline ${pipeline}` : 'the editor'}…</main>;
  if (loaded.state === 'error') {
    return (
      <main className="page">
        <h1>Cannot open the pipeline</h1>
        <p className="error-text" role="alert">
          {loaded.error}
        </p>
        <p>
          Back to the <a href={href.pipelines()}>pipelines</a>, or start a <a href={href.newPipeline()}>new pipeline</a>.
        </p>
      </main>
    );
  }
  return <EditorBody key={loaded.key} initial={loaded.spec} origin={loaded.origin} initialNotice={loaded.notice} onOpen={openSpec} />;
}

type Tab = 'task' | 'pipeline' | 'problems';
type Dialog = { kind: 'run' } | { kind: 'save'; then?: 'run' } | { kind: 'help' } | { kind: 'export'; fileName: string; source: string } | null;

function EditorBody({ initial, origin, initialNotice, onOpen }: { initial: PipelineSpec; origin: Origin | undefined; initialNotice: Notice | undefined; onOpen: (spec: PipelineSpec, notice?: Notice) => void }): ReactElement {
  const rf = useReactFlow<FlowNode, FlowEdge>();
  const [history, dispatch] = useReducer(historyReducer, initial, initialHistory);
  const spec = history.present;
  const specRef = useRef(spec);
  specRef.current = spec;
  const [saved, setSaved] = useState<{ spec: PipelineSpec; versionId: string; number: number; draft: boolean } | undefined>(
    origin ? { spec: initial, versionId: origin.versionId, number: origin.number, draft: origin.draft } : undefined,
  );
  const dirty = saved?.spec !== spec;
  // What was last saved, for checks that run outside a render (leaving the page right after a save).
  const savedSpecRef = useRef(saved?.spec);
  const [notice, setNotice] = useState<Notice | undefined>(initialNotice);
  const [selection, setSelection] = useState<Selection>({ nodes: [], edges: [] });
  const selectionRef = useRef(selection);
  selectionRef.current = selection;
  const [tab, setTab] = useState<Tab>('task');
  const [dialog, setDialog] = useState<Dialog>(null);
  // Server (422) errors are about the IR that was sent: they stop showing once it changes.
  const [serverReport, setServerReport] = useState<{ spec: PipelineSpec; errors: FieldError[] } | undefined>();
  const serverErrors = serverReport?.spec === spec ? serverReport.errors : [];
  const [catalog, setCatalog] = useState<PaletteComponent[] | undefined>();
  const [catalogError, setCatalogError] = useState<string | undefined>();
  const selectNext = useRef<string[] | null>(null);
  const clipboard = useRef<{ fragment: Fragment; pastes: number } | null>(null);
  const canvasBox = useRef<HTMLDivElement>(null);
  const addCount = useRef(0);
  const fileInput = useRef<HTMLInputElement>(null);

  useEffect(() => {
    listComponents().then(setCatalog, (e: unknown) => setCatalogError(`Cannot load the component catalog: ${e instanceof Error ? e.message : String(e)}`));
  }, []);

  // Validation runs on a deferred copy: typing and dragging stay responsive on big pipelines.
  const deferredSpec = useDeferredValue(spec);
  const validation = useMemo(() => validatePipeline(deferredSpec), [deferredSpec]);
  const issuesByNode = useMemo(() => {
    const m = new Map<string, number>();
    for (const i of validation.issues) if (i.task !== undefined) m.set(i.task, (m.get(i.task) ?? 0) + 1);
    return m;
  }, [validation]);

  const notify = useCallback((n: Notice) => setNotice(n), []);

  const edit = useCallback<Edit>((fn, success) => {
    const r = fn(specRef.current);
    let next: PipelineSpec;
    if ('apiVersion' in r) next = r;
    else if (r.ok) next = r.spec;
    else {
      setNotice({ kind: 'error', text: r.reason });
      return false;
    }
    if (next === specRef.current) return true;
    specRef.current = next;
    dispatch({ type: 'apply', spec: next });
    if (success) setNotice({ kind: 'ok', text: success });
    return true;
  }, []);

  const catalogByKey = useMemo(() => new Map((catalog ?? []).map((c) => [`${c.name}@${c.version}`, c])), [catalog]);

  const addComponent = useCallback(
    (c: PaletteComponent, position: { x: number; y: number }, parent?: string) => {
      edit((s) => {
        const r = addTask(s, c.spec, { position, ...(parent !== undefined ? { parent } : {}) });
        selectNext.current = [r.id];
        return r.spec;
      }, `Added ${c.name}`);
    },
    [edit],
  );

  const onDropComponent = useCallback(
    (key: string, position: { x: number; y: number }) => {
      const c = catalogByKey.get(key);
      if (!c) {
        setNotice({ kind: 'error', text: `The catalog has no component ${key}; reload the page to refresh it` });
        return;
      }
      // Dropped inside an expanded loop: the task joins its body (position relative to the loop).
      const index = indexPipeline(specRef.current);
      const loops = rf
        .getIntersectingNodes({ x: position.x, y: position.y, width: 1, height: 1 })
        .filter((n) => n.type === 'loop' && !(n.data as { collapsed?: boolean }).collapsed)
        .sort((a, b) => (index.nodes.get(b.id)?.scope.length ?? 0) - (index.nodes.get(a.id)?.scope.length ?? 0));
      const loop = loops[0];
      const abs = loop ? rf.getInternalNode(loop.id)?.internals.positionAbsolute : undefined;
      if (loop && abs) addComponent(c, { x: position.x - abs.x, y: position.y - abs.y }, loop.id);
      else addComponent(c, position);
    },
    [addComponent, catalogByKey, rf],
  );

  const addFromPalette = useCallback(
    (c: PaletteComponent) => {
      const box = canvasBox.current?.getBoundingClientRect();
      const center = box ? rf.screenToFlowPosition({ x: box.left + box.width / 2, y: box.top + box.height / 2 }) : { x: 0, y: 0 };
      const k = addCount.current++ % 6;
      addComponent(c, { x: center.x - 110 + k * 30, y: center.y - 40 + k * 30 });
    },
    [addComponent, rf],
  );

  const undo = useCallback(() => dispatch({ type: 'undo' }), []);
  const redo = useCallback(() => dispatch({ type: 'redo' }), []);

  const deleteSelection = useCallback(() => {
    const { nodes, edges } = selectionRef.current;
    if (!nodes.length && !edges.length) return;
    let refused: string | undefined;
    edit((s) => {
      const removed = removeNodes(s, nodes);
      if (!removed.ok) return removed;
      let next = removed.spec;
      for (const e of edges) {
        if (nodes.includes(e.source) || nodes.includes(e.target)) continue;
        const r = disconnect(next, e);
        if (r.ok) next = r.spec;
        else refused = r.reason;
      }
      return next;
    }, `Deleted ${[nodes.length ? `${nodes.length} node${nodes.length === 1 ? '' : 's'}` : '', edges.length ? `${edges.length} edge${edges.length === 1 ? '' : 's'}` : ''].filter(Boolean).join(' and ')}`);
    if (refused) setNotice({ kind: 'error', text: refused });
  }, [edit]);

  const copy = useCallback(() => {
    const { nodes } = selectionRef.current;
    if (!nodes.length) return;
    const fragment = copyNodes(specRef.current, nodes);
    clipboard.current = { fragment, pastes: 0 };
    navigator.clipboard?.writeText(JSON.stringify(fragment, null, 2)).catch(() => undefined);
    setNotice({ kind: 'info', text: `Copied ${Object.keys(fragment.nodes).length} node(s); Ctrl+V pastes them` });
  }, []);

  const paste = useCallback(() => {
    const clip = clipboard.current;
    if (!clip) {
      setNotice({ kind: 'info', text: 'Nothing to paste: select nodes and press Ctrl+C first' });
      return;
    }
    clip.pastes++;
    edit((s) => {
      const r = pasteFragment(s, clip.fragment, { offset: { x: 40 * clip.pastes, y: 40 * clip.pastes } });
      if (!r.ok) return r;
      selectNext.current = r.ids;
      return { ok: true, spec: r.spec };
    }, 'Pasted');
  }, [edit]);

  const selectAll = useCallback(() => {
    rf.setNodes((nds) => nds.map((n) => (n.type === 'conditionGroup' || n.hidden || n.selected ? n : { ...n, selected: true })));
  }, [rf]);

  const arrange = useCallback(() => {
    arrangePositions(specRef.current).then(
      (positions) => {
        // Positions only, onto the IR as it is now: edits made while elk ran are kept.
        edit((s) => moveNodes(s, positions), 'Arranged');
        setTimeout(() => void rf.fitView({ padding: 0.15, duration: 300, maxZoom: 1.2 }), 60);
      },
      (e: unknown) => setNotice({ kind: 'error', text: `Arrange failed: ${(e as Error).message}` }),
    );
  }, [edit, rf]);

  /**
   * Saves the current IR; returns the version id. An IR with validation problems is saved as a draft
   * (kept, not runnable) rather than refused. Throws (after reporting) when the server refuses.
   */
  const saveNow = useCallback(async (): Promise<string> => {
    const current = specRef.current;
    try {
      const problems = validatePipeline(current).issues.length;
      const r = await saveVersion(current, { draft: problems > 0 });
      savedSpecRef.current = current;
      setSaved({ spec: current, versionId: r.version.id, number: r.number, draft: r.version.draft });
      setServerReport(undefined);
      // Show the version in the address without reloading the editor (keeps undo history).
      window.history.replaceState(null, '', href.editor(current.name, r.number));
      const what = r.version.draft ? 'draft version' : 'version';
      setNotice({
        kind: r.version.draft ? 'info' : 'ok',
        text:
          (r.created ? `Saved ${current.name} as ${what} ${r.number}` : `Saved ${current.name} ${what} ${r.number} (same pipeline; its layout is updated)`) +
          (r.version.draft ? `: it has ${problems} problem${problems === 1 ? '' : 's'} (see Problems) and cannot run until they are fixed` : ''),
      });
      return r.version.id;
    } catch (e) {
      if (e instanceof ApiError && e.errors.length) {
        setServerReport({ spec: current, errors: e.errors });
        setTab('problems');
      }
      setNotice({ kind: 'error', text: `Not saved: ${e instanceof Error ? e.message : String(e)}` });
      throw e;
    }
  }, []);

  // A pipeline never saved asks for its name first; later saves add versions to it.
  const save = useCallback(() => {
    if (savedSpecRef.current === undefined) setDialog({ kind: 'save' });
    else saveNow().catch(() => undefined);
  }, [saveNow]);

  const saveNamed = useCallback(
    async (name: string, then: 'run' | undefined) => {
      if (name !== specRef.current.name) edit((s) => ({ ...s, name }));
      await saveNow();
      setDialog(then === 'run' ? { kind: 'run' } : null);
    },
    [edit, saveNow],
  );

  const exportTs = useCallback(() => {
    const r = pipelineSource(specRef.current);
    if (!r.ok) {
      setNotice({ kind: 'error', text: `Export failed: ${r.error}` });
      return;
    }
    const fileName = `${specRef.current.name}.ts`;
    downloadText(fileName, r.source);
    setDialog({ kind: 'export', fileName, source: r.source });
  }, []);

  const focusNode = useCallback(
    (id: string) => {
      const index = indexPipeline(specRef.current);
      const info = index.nodes.get(id);
      if (!info) return;
      // Open collapsed loops and groups around it first.
      let next = specRef.current;
      for (const loop of info.scope) if (index.nodes.get(loop)?.node.ui?.collapsed) next = setNodeUi(next, loop, { collapsed: undefined });
      const g = info.node.ui?.group;
      if (g !== undefined && info.node.ui?.collapsed) next = setGroupCollapsed(next, info.scope[info.scope.length - 1], g, false);
      if (next !== specRef.current) {
        selectNext.current = [id];
        edit(() => next);
      } else rf.setNodes((nds) => nds.map((n) => (Boolean(n.selected) === (n.id === id) ? n : { ...n, selected: n.id === id })));
      setTimeout(() => {
        const node = rf.getInternalNode(id);
        if (!node) return;
        const p = node.internals.positionAbsolute;
        void rf.setCenter(p.x + (node.measured.width ?? 220) / 2, p.y + (node.measured.height ?? 80) / 2, { zoom: Math.max(rf.getZoom(), 0.9), duration: 400 });
      }, 30);
    },
    [edit, rf],
  );

  const actions = useMemo<CanvasActions>(
    () => ({
      toggleLoop: (id) =>
        edit((s) => {
          const node = indexPipeline(s).nodes.get(id)?.node;
          return node && isLoopNode(node) ? setNodeUi(s, id, { collapsed: node.ui?.collapsed ? undefined : true }) : s;
        }),
      toggleGroup: (scope, group) =>
        edit((s) => {
          const index = indexPipeline(s);
          const collapsed = [...index.nodes.values()].some((n) => n.node.ui?.group === group && n.scope[n.scope.length - 1] === scope && n.node.ui.collapsed === true);
          return setGroupCollapsed(s, scope, group, !collapsed);
        }),
    }),
    [edit],
  );

  // Keyboard shortcuts (which key means what, and where: shortcuts.ts).
  const help = useCallback(() => setDialog({ kind: 'help' }), []);
  const keys = useRef({ undo, redo, copy, paste, save, arrange, deleteSelection, selectAll, help });
  keys.current = { undo, redo, copy, paste, save, arrange, deleteSelection, selectAll, help };
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      const selection = window.getSelection();
      const action = shortcutFor(e, { nodesSelected: selectionRef.current.nodes.length > 0, textSelected: selection !== null && !selection.isCollapsed });
      if (action === undefined) return;
      e.preventDefault();
      // Ctrl+S in a field: commit what it holds (fields commit on blur) before saving, keep the focus.
      const active = document.activeElement;
      if (action === 'save' && active instanceof HTMLElement && isEditable(active)) {
        active.blur();
        active.focus();
      }
      keys.current[action]();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  // Leaving with unsaved changes asks first: in-app links and Back (hash changes) …
  useLeaveGuard(() => {
    const current = specRef.current;
    if (savedSpecRef.current === current || Object.keys(current.dag.tasks).length === 0) return true;
    return window.confirm('Leave the editor? Your unsaved changes (and their undo history) will be lost.');
  });
  // … and closing or reloading the tab.
  useEffect(() => {
    if (!dirty || Object.keys(spec.dag.tasks).length === 0) return;
    const onBeforeUnload = (e: BeforeUnloadEvent): void => e.preventDefault();
    window.addEventListener('beforeunload', onBeforeUnload);
    return () => window.removeEventListener('beforeunload', onBeforeUnload);
  }, [dirty, spec]);

  const onSelection = useCallback((s: Selection) => {
    setSelection((prev) => (prev.nodes.join('\n') === s.nodes.join('\n') && prev.edges.length === s.edges.length && prev.edges.every((e, i) => e === s.edges[i]) ? prev : s));
    if (s.nodes.length) setTab((t) => (t === 'problems' ? t : 'task'));
  }, []);

  const onFile = (e: ChangeEvent<HTMLInputElement>): void =>
    openPickedIrFile(
      e.target,
      (opened, _text, fileName) => {
        if (!opened.ok) setNotice({ kind: 'error', text: opened.error });
        else onOpen(opened.spec, { kind: opened.issues.length ? 'error' : 'ok', text: `Opened ${fileName}${opened.issues.length ? ` with ${opened.issues.length} problem(s): see Problems` : ''}` });
      },
      (message) => setNotice({ kind: 'error', text: message }),
    );

  const problemCount = validation.issues.length + serverErrors.length;
  const versionText = saved ? `version ${saved.number}${saved.draft ? ' (draft: cannot run)' : ''}${dirty ? ' · unsaved changes' : ''}` : 'not saved yet';

  return (
    <main className="editor-page">
      <div className="editor-toolbar" role="toolbar" aria-label="Editor actions">
        <h1 className="editor-title">
          {spec.name} <span className="muted">{versionText}</span>
        </h1>
        {saved && saved.number >= 2 && (
          <a className="button" href={href.diff(spec.name)} title="What changed between two versions of this pipeline">
            Diff versions
          </a>
        )}
        <button type="button" onClick={undo} disabled={history.past.length === 0} title="Undo (Ctrl+Z)">
          Undo
        </button>
        <button type="button" onClick={redo} disabled={history.future.length === 0} title="Redo (Ctrl+Shift+Z)">
          Redo
        </button>
        <button type="button" onClick={arrange} title="Auto-layout (L)">
          Arrange
        </button>
        <button type="button" onClick={() => fileInput.current?.click()} title="Open a pipeline IR JSON file (sluice compile output)">
          Open IR file
        </button>
        <input ref={fileInput} type="file" accept=".json,application/json" hidden onChange={onFile} aria-label="IR file" />
        <button type="button" onClick={exportTs} title="Download the pipeline as TypeScript (sluice/dsl)">
          Export TypeScript
        </button>
        <button type="button" onClick={save} title="Save a new version (Ctrl+S)">
          Save
        </button>
        <button type="button" className="primary" onClick={() => setDialog(saved ? { kind: 'run' } : { kind: 'save', then: 'run' })} title="Start a run">
          Run
        </button>
        <button type="button" onClick={() => setDialog({ kind: 'help' })} aria-label="Keyboard shortcuts" title="Keyboard shortcuts (?)">
          ?
        </button>
      </div>
      <div className="editor-body">
        <Palette components={catalog} error={catalogError} onAdd={addFromPalette} />
        <CanvasActionsContext.Provider value={actions}>
          <div className="editor-canvas" ref={canvasBox}>
            <Canvas spec={spec} specRef={specRef} issues={issuesByNode} edit={edit} notify={notify} onSelection={onSelection} onDropComponent={onDropComponent} selectNext={selectNext} />
            {Object.keys(spec.dag.tasks).length === 0 ? <p className="canvas-empty">Drag a component from the palette, or press its “Add” button.</p> : null}
            <ConnectionStatus specRef={specRef} notice={notice} />
          </div>
        </CanvasActionsContext.Provider>
        <aside className="editor-side" aria-label="Details">
          <div role="tablist" aria-label="Details" className="tabs">
            {(['task', 'pipeline', 'problems'] as const).map((t) => (
              <button key={t} type="button" role="tab" id={`tab-${t}`} aria-selected={tab === t} aria-controls={`panel-${t}`} onClick={() => setTab(t)}>
                {t === 'task' ? 'Task' : t === 'pipeline' ? 'Pipeline' : `Problems (${problemCount})`}
              </button>
            ))}
          </div>
          <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`} className="tabpanel">
            {tab === 'task' ? <Inspector spec={spec} selected={selection.nodes} edit={edit} selectNext={selectNext} issues={validation.issues} /> : null}
            {tab === 'pipeline' ? <PipelinePanel spec={spec} edit={edit} /> : null}
            {tab === 'problems' ? <ProblemsPanel issues={validation.issues} server={serverErrors} onFocus={focusNode} /> : null}
          </div>
        </aside>
      </div>
      {dialog?.kind === 'save' ? (
        <SaveDialog
          initialName={spec.name === emptyPipeline().name ? '' : spec.name}
          problems={validation.issues.length}
          onClose={() => setDialog(null)}
          onSave={(name) => saveNamed(name, dialog.then)}
        />
      ) : null}
      {dialog?.kind === 'help' ? <HelpDialog onClose={() => setDialog(null)} /> : null}
      {dialog?.kind === 'export' ? <ExportDialog fileName={dialog.fileName} source={dialog.source} onClose={() => setDialog(null)} /> : null}
      {dialog?.kind === 'run' ? (
        <RunDialog
          spec={spec}
          needsSave={dirty}
          blocked={runBlocker({ saved, dirty, problems: validation.issues.length })}
          onClose={() => setDialog(null)}
          onStart={async (params) => {
            const versionId = dirty || !saved ? await saveNow() : saved.versionId;
            const runId = await startRun(versionId, params);
            navigate(href.run(runId));
          }}
        />
      ) : null}
    </main>
  );
}
