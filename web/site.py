"""`make site`: the course as a static site that works offline, with JupyterLite inside.

    python -m web.site [--out site] [NOTEBOOK ...]     (default: every notebook)

1. Every notebook is executed in a fresh kernel with ``COURSE_STATIC_PAGES=1`` and plotly's
   ``plotly_mimetype`` renderer: each explorer then shows its snapshot (plotly frames and
   plotly's own slider; course_lib/widgets/_display.py), and each figure is plain JSON. A
   cell that errors stops the build.
2. Each figure becomes HTML that calls plotly.js (which the site carries once, in _static/),
   and each page starts with a link that opens the same notebook in JupyterLite.
3. Sphinx (myst-nb, the book theme; web/sphinx/conf.py, copied beside the sources) makes the pages: navigation between
   notebooks, a table of contents on each, MathJax from _static/.
4. JupyterLite (web/lite.py) is built into ``<out>/lite`` with the same notebooks.

Nothing is fetched: the Python packages come from `make install` (pyproject.toml's ``site``
extra), MathJax and Pyodide from web/node_modules (web/package.json, `npm ci`).
``python -m http.server -d site`` serves the result.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
WEB = ROOT / "web"
MATHJAX = WEB / "node_modules" / "mathjax" / "es5"
# MathJax's tex-chtml component and what it loads on demand (TeX extensions, fonts, the menu,
# accessibility); its other combined components are left out.
MATHJAX_PARTS = ["tex-chtml.js", "input", "output", "ui", "a11y", "sre", "adaptors"]
PLOTLY_MIME = "application/vnd.plotly.v1+json"
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
EXECUTE_TIMEOUT_S = 600

CSS = """\
/* Chinese examples in a font that has them, wherever the reader's system has one. */
body { font-family: var(--pst-font-family-base-system), "Noto Sans CJK SC", "Source Han Sans SC",
       "WenQuanYi Micro Hei", "PingFang SC", "Microsoft YaHei", sans-serif; }
/* The notebooks' figures are up to ~900 px wide: a wider article on a wide screen, and a
   wider figure scrolls inside the page instead of running under the table of contents. */
.bd-page-width { max-width: 110rem; }
.bd-main .bd-content .bd-article-container { max-width: 64rem; }
.course-figure { overflow-x: auto; max-width: 100%; }
.course-run-link { font-size: 1.05em; margin: 0 0 1em 0; }
.course-static-note { color: var(--pst-color-text-muted); margin: 0.3em 0; }
"""


def notebooks(names: list[str] | None = None) -> list[Path]:
    """The notebooks to build: every ``notebooks/*.ipynb``, or those named (stem or path)."""
    every = sorted(NOTEBOOKS.glob("[0-9]*.ipynb"))
    if not names:
        return every
    by_stem = {path.stem: path for path in every}
    chosen = []
    for name in names:
        stem = Path(name).stem
        if stem not in by_stem:
            raise SystemExit(f"no notebook {name!r}; the notebooks are {', '.join(by_stem)}")
        chosen.append(by_stem[stem])
    return chosen


def execute(path: Path) -> str:
    """The notebook at ``path`` executed for the static pages, as JSON text; a cell that errors raises."""
    import nbformat
    from nbclient import NotebookClient

    os.environ["COURSE_STATIC_PAGES"] = "1"  # the kernel inherits this process's environment
    os.environ["PLOTLY_RENDERER"] = "plotly_mimetype"
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=EXECUTE_TIMEOUT_S, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    return nbformat.writes(nb)


def _figure_html(figure: dict, div_id: str) -> str:
    import plotly.io as pio

    # auto_play off: plotly's HTML would otherwise play a snapshot's frames once on load.
    return pio.to_html(figure, include_plotlyjs=False, full_html=False, validate=False, div_id=div_id,
                       auto_play=False, config={"displaylogo": False, "responsive": True})


def _progress_bar(state: dict, model_id: str) -> str | None:
    """tqdm's bar (an HBox of an HTML, a progress bar and an HTML) as it ended, as HTML; else None."""
    model = state.get(model_id, {})
    children = [state.get(ref.removeprefix("IPY_MODEL_"), {}) for ref in model.get("state", {}).get("children", [])]
    if model.get("model_name") != "HBoxModel" or [c.get("model_name") for c in children] != \
            ["HTMLModel", "FloatProgressModel", "HTMLModel"]:
        return None
    left, bar, right = (c["state"] for c in children)
    return (f"<div class=\"course-progress\">{left.get('value', '')} <progress value=\"{bar.get('value', 0)}\" "
            f"max=\"{bar.get('max', 1)}\"></progress> {right.get('value', '')}</div>")


def for_pages(nb: dict, stem: str, run_url: str) -> dict:
    """``nb`` (executed) as its page shows it: figures as HTML for plotly.js; under the title, a
    link that runs it in JupyterLite and the page's table of contents.

    Widgets cannot run without a kernel: a course widget has already shown its snapshot
    instead, and a progress bar is shown as it ended. Any other widget left on the page
    would be an empty box: that is a ValueError naming the cells.
    """
    state = nb["metadata"].pop("widgets", {}).get("application/vnd.jupyter.widget-state+json", {}).get("state", {})
    n_figures, blank = 0, []
    for index, cell in enumerate(nb["cells"]):
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if WIDGET_MIME in data:
                bar = _progress_bar(state, data[WIDGET_MIME]["model_id"])
                if bar is None:
                    blank.append(f"cell {index}: {''.join(cell['source'])[:200]}")
                    continue
                output["data"] = {"text/html": bar}
            elif PLOTLY_MIME in data:
                n_figures += 1
                html = _figure_html(data.pop(PLOTLY_MIME), f"{stem}-figure-{n_figures}")
                data["text/html"] = f"<div class=\"course-figure\">{html}</div>"
    if blank:
        raise ValueError(f"{stem}: widgets with no static face (see course_lib/widgets/_display.py):\n"
                         + "\n".join(blank))
    link = {"cell_type": "markdown", "metadata": {}, "id": "course-run-link",
            "source": f"<p class=\"course-run-link\"><a href=\"{run_url}\">▶ Run this notebook in your browser</a> "
                      "(JupyterLite: Python runs in the page, nothing to install)</p>\n\n"
                      "```{contents} On this page\n:local:\n:depth: 1\n```\n"}
    title = next(i for i, c in enumerate(nb["cells"]) if c["cell_type"] == "markdown")
    nb["cells"].insert(title + 1, link)
    return nb


def _index(stems: list[str], lite_root: str) -> str:
    toc = "\n".join(stems)
    return f"""# Recurrent neural networks, step by step

An interactive, tested course on recurrent neural networks: step through an RNN one timestep at a
time, watch hidden states and gates change, see gradients shrink or explode as they flow back
through time. It follows the first week of the sequence-models course of the Deep Learning
Specialization, with the examples of a Chinese tutorial (王刚和李明去上班了).

These pages are the notebooks as they run, each explorer as a snapshot that steps with its own
slider. To run a notebook, with the live explorers and the exercises, open it in your browser
with the link at the top of its page: it runs in <a href="{lite_root}">JupyterLite</a> (Python
in the page, nothing installed, nothing fetched from outside this site).

```{{toctree}}
:maxdepth: 1
:caption: Notebooks

{toc}
```
"""


def _copy_tree(source: Path, target: Path) -> None:
    if source.is_dir():
        shutil.copytree(source, target, dirs_exist_ok=True)
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)


def static_files(target: Path) -> None:
    """plotly.js, MathJax and the course's CSS into ``target`` (Sphinx's _static source)."""
    import plotly

    if not (MATHJAX / "tex-chtml.js").exists():
        raise SystemExit(f"MathJax is missing ({MATHJAX}): run `make install` (npm ci in web/)")
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy2(Path(plotly.__file__).parent / "package_data" / "plotly.min.js", target / "plotly.min.js")
    for part in MATHJAX_PARTS:
        _copy_tree(MATHJAX / part, target / "mathjax" / part)
    (target / "course.css").write_text(CSS, encoding="utf-8")


def build(out: Path, chosen: list[Path], work: Path | None = None, lite: bool = True) -> None:
    """The site for the notebooks ``chosen`` in ``out`` (replaced), sources in ``work``."""
    from web.lite import LITE, build_lite, lite_url, site_size_mb

    work = work or ROOT / "build" / "site-src"
    started = time.monotonic()
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    print(f"executing {len(chosen)} notebooks for the pages …", flush=True)
    with ProcessPoolExecutor(max_workers=min(2, len(chosen))) as pool:
        executed = list(pool.map(execute, chosen))
    for path, text in zip(chosen, executed):
        nb = for_pages(json.loads(text), path.stem, lite_url(path.stem))
        (work / path.name).write_text(json.dumps(nb, ensure_ascii=False), encoding="utf-8")
    (work / "index.md").write_text(_index([p.stem for p in chosen], f"{LITE}/"), encoding="utf-8")
    static_files(work / "_static")
    print(f"  {time.monotonic() - started:.0f} s; the pages (Sphinx) …", flush=True)
    shutil.copy2(WEB / "sphinx" / "conf.py", work / "conf.py")
    # Built beside the sources, then moved: myst-nb writes its jupyter_execute/ next to the
    # build directory (here, into the sources, which conf.py excludes).
    subprocess.run([sys.executable, "-m", "sphinx", "-b", "html", "-q", str(work), str(work / "_build")], check=True)
    shutil.rmtree(out, ignore_errors=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(work / "_build", out)
    shutil.rmtree(out / ".doctrees", ignore_errors=True)
    shutil.rmtree(out / "_sources", ignore_errors=True)  # empty: the sources are not copied
    (out / ".buildinfo").unlink(missing_ok=True)
    if lite:
        print(f"  {time.monotonic() - started:.0f} s; JupyterLite …", flush=True)
        build_lite(out / LITE, chosen)
    print(f"site built in {out} ({site_size_mb(out):.0f} MB) in {time.monotonic() - started:.0f} s; "
          f"serve it with: python -m http.server -d {out}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", help="notebooks to build (stems or paths); default: all")
    parser.add_argument("--out", type=Path, default=ROOT / "site", help="where the site goes (replaced)")
    parser.add_argument("--no-lite", action="store_true", help="the static pages only")
    args = parser.parse_args(argv)
    build(args.out.resolve(), notebooks(args.notebooks), lite=not args.no_lite)


if __name__ == "__main__":
    main()
