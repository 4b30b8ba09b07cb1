// Types of the ctxgroup-playground module. `import 'ctxgroup-playground'` registers the
// <ctxgroup-playground> element (in a browser; a server build may import it: it registers
// nothing there and touches no browser global).

/** One error of a scenario: where it is, what is wrong, and how to fix it. */
export interface ScenarioError {
  line: number;
  col: number;
  endCol: number;
  message: string;
  hint: string;
  text: string;
}

/** How the scenario's group returned (Go's `g.Wait()` and the function around it). */
export interface Returned {
  /** When, in seconds of (virtual) time. */
  at: number;
  /** The error it returned (Go's text), or null for nil. */
  error: string | null;
  /** `context.Cause` of the caller's context when it returned, if it was cancelled. */
  cause?: string | null;
}

/** The detail of the `ctxgroup-run-end` event. */
export interface RunEndDetail {
  mode: 'virtual' | 'live';
  /**
   * The scenario parsed and ran to its end (or a live run finished). It says nothing of its
   * `expect` lines: read `trace.expectations` (`{line, ok, message}`) for those.
   */
  ok: boolean;
  stopped: boolean;
  errors: ScenarioError[];
  /** One line on how the run went, as the element shows it. */
  summary: string;
  /** How the group returned; null if it never did, or the run failed. */
  returned: Returned | null;
  /** The whole trace (the format of `ctxgroup trace`), or null. */
  readonly trace: unknown | null;
}

/** The detail of the `ctxgroup-view-change` event: the view the user switched to. */
export interface ViewChangeDetail {
  view: 'chart' | 'go' | 'rust';
}

/** The detail of the `ctxgroup-run-start` event. */
export interface RunStartDetail {
  mode: 'virtual' | 'live';
}

/**
 * The playground element. Attributes: `mode` (`virtual` | `live`), `speed` (0.1–10), `readonly`,
 * `autorun`, `theme` (`auto` | `light` | `dark`), `height` (the editor's CSS height), `full`,
 * `views` (the views offered, in order: any of `chart go rust`), `view` (the one shown first).
 * Its scenario is its own text, or the text of a child `<pre>`; other children (a pre-rendered
 * chart) show until it upgrades.
 */
export declare class CtxgroupPlayground extends HTMLElement {
  /** The scenario's text. Setting it runs the scenario again (when autorun is set). */
  value: string;
  mode: 'virtual' | 'live';
  /** The view shown (setting it sets the `view` attribute). */
  view: 'chart' | 'go' | 'rust';
  /**
   * The last run's trace, parsed on first read; null before a run. A long trace (thousands of
   * tasks and events) reaches the element after its chart is shown: it is here by the run's
   * `ctxgroup-run-end` event, and null until then.
   */
  readonly trace: unknown | null;
  /** Whether a run is going. */
  readonly running: boolean;
  /** Runs the scenario (in the element's mode). */
  run(): void;
  /** Stops a live or long virtual run. */
  stop(): void;
  /** Replaces the scenario's text as an edit the user can undo. */
  replaceText(text: string): void;
  /** Focuses the scenario's editor. */
  focus(options?: FocusOptions): void;
  /** How many timers a live run has pending in the element's worker. */
  pendingTimers(): Promise<number>;
}

/** The scenario of a share link's hash (`#z=…`), or null if the hash holds none. */
export declare function decodeScenario(hash: string): Promise<string | null>;
/** The hash of a share link for a scenario (`z=…`, without the `#`). */
export declare function encodeScenario(text: string): Promise<string>;
/** The page's one compiled WebAssembly module. */
export declare function wasmModule(): Promise<WebAssembly.Module>;
/** The wasm API on the calling thread (for pages that call it directly). */
export declare function loadWasm(): Promise<unknown>;

declare global {
  interface HTMLElementTagNameMap {
    'ctxgroup-playground': CtxgroupPlayground;
  }
  interface HTMLElementEventMap {
    'ctxgroup-run-start': CustomEvent<RunStartDetail>;
    'ctxgroup-run-end': CustomEvent<RunEndDetail>;
    'ctxgroup-view-change': CustomEvent<ViewChangeDetail>;
  }
}
