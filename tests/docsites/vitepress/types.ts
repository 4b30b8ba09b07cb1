// The package's hand-written types, as a TypeScript user meets them (tsc --noEmit --strict).
import 'ctxgroup-playground';
import { CtxgroupPlayground, decodeScenario, encodeScenario, type RunEndDetail } from 'ctxgroup-playground';

const el = document.querySelector('ctxgroup-playground');
if (el) {
  const typed: CtxgroupPlayground = el;
  typed.value = 'task a 1s\n';
  typed.mode = 'live';
  typed.run();
  typed.stop();
  el.addEventListener('ctxgroup-run-end', (e) => {
    const detail: RunEndDetail = e.detail;
    // When and how the group returned, as the element reports it.
    const at: number | undefined = detail.returned?.at;
    const error: string | null | undefined = detail.returned?.error;
    console.log(detail.ok, detail.summary, at, error, detail.errors[0]?.line);
  });
  el.addEventListener('ctxgroup-view-change', (e) => {
    const view: 'chart' | 'go' | 'rust' = e.detail.view;
    console.log(view);
  });
  typed.view = 'go';
  // @ts-expect-error: three views only
  typed.view = 'python';
  // @ts-expect-error: the scenario is text
  typed.value = 5;
  // @ts-expect-error: two modes only
  typed.mode = 'fast';
}
const hash: Promise<string> = encodeScenario('task a 1s\n');
const text: Promise<string | null> = decodeScenario('#z=');
void hash;
void text;
