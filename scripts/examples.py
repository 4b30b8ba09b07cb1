"""Writes www/examples.json from playground/examples/scenarios/*.txt: the page's examples menu.

Each scenario's leading comment lines give its title (the first line) and its lesson (the rest).
"""
import json
import pathlib

root = pathlib.Path(__file__).resolve().parent.parent
order = [
    "001-fixed", "001-attempt-1-no-context", "001-attempt-2-timeout-ignored", "001-attempt-3-watcher",
    "001-attempt-4-check-once", "001-attempt-5-outer-loop", "000-slow-api", "000-slow-api-6s",
    "000-fast-api", "000-slow-api-cause", "002-worker-cancel", "002-worker-go", "002-timeout-50ms",
    "003-first-error", "003-continue", "003-collect-all", "004-leak", "004-go-leak", "004-after-func",
    "without-cancel", "limit-2", "limit-try", "token-held-forever", "shutdown-straggler", "everything",
]
files = {p.stem: p for p in (root / "playground/examples/scenarios").glob("*.txt")}
names = [n for n in order if n in files] + sorted(n for n in files if n not in order)
examples = []
for name in names:
    text = files[name].read_text()
    comments = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        comments.append(line.lstrip("# ").strip())
    lesson = " ".join(comments)
    # The menu shows the first sentence; the lesson line shows the whole comment.
    title = lesson.split(". ")[0].rstrip(".") if comments else name
    if len(title) > 90:
        title = title[:88].rsplit(" ", 1)[0] + " …"
    examples.append({"id": name, "title": title, "lesson": lesson, "text": text})
(root / "www/examples.json").write_text(json.dumps(examples, ensure_ascii=False, indent=1) + "\n")
print(f"examples: {len(examples)} scenarios -> www/examples.json")
