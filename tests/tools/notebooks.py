"""Keep the course's notebooks clean in git, and say which outputs are checked.

    python -m tests.tools.notebooks refresh [notebooks/NN_name.ipynb ...]

executes each notebook in a fresh kernel (as "Restart Kernel and Run All" would) and writes
it back with every output removed, except the plain-text outputs of the cells tagged
``nbval-check-output`` (nbval's tag; the older ``# NBVAL_CHECK_OUTPUT`` first line counts
too): nbval, and the browser check on the notebook JupyterLab saved, compare those against
what they compute, so they must be stored. No widget state, no execution counts.
"""

import ast
import contextlib
import io
import json
import re
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[2]
CHECK = "# NBVAL_CHECK_OUTPUT"  # the older marker: a first line of the cell
CHECK_TAG = "nbval-check-output"
TEXT_OUTPUTS = ("stream", "execute_result")


# ---------------------------------------------------------------------------------------
# A notebook's code cells run in the test process (tests/test_notebook_NN.py)
# ---------------------------------------------------------------------------------------


def cells(path):
    """[(source, tags, kind)] of every cell of the notebook at ``path``, kind "code" or "markdown"."""
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    return [("".join(c["source"]), c.get("metadata", {}).get("tags", []), c["cell_type"]) for c in nb["cells"]]


def code_cells(path):
    """[(source, tags)] of the notebook's code cells, in order."""
    return [(source, tags) for source, tags, kind in cells(path) if kind == "code"]


def stubs(code):
    """{function name: index in ``code``} of the code cells tagged ``exercise``."""
    return {re.search(r"^def (\w+)\(", source, re.M).group(1): i
            for i, (source, tags) in enumerate(code) if "exercise" in tags}


def run_cell(source, namespace):
    """Run a cell as IPython does: its statements, then the value of a last expression."""
    tree = ast.parse(source)
    last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    exec(compile(tree, "<cell>", "exec"), namespace)
    return eval(compile(ast.Expression(last.value), "<cell>", "eval"), namespace) if last else None


def run_cells(path, replace=None, until=None):
    """The notebook's code cells in order, in one namespace (a stub replaced by its name in ``replace``).

    Returns the cells' values, what each printed, and the namespace. ``until``: stop after
    the code cell with this index.
    """
    code = code_cells(path)
    stub_at = {i: name for name, i in stubs(code).items()}
    namespace, values, printed = {"__name__": "__main__"}, [], []
    for i, (source, _) in enumerate(code):
        if until is not None and i > until:
            break
        if i in stub_at and replace and stub_at[i] in replace:
            source = replace[stub_at[i]]
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            values.append(run_cell(source, namespace))
        printed.append(out.getvalue())
    return values, printed, namespace


def is_checked(cell):
    """Is this a cell whose printed output is stored and compared (nbval's rule)?"""
    source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])  # nbformat or raw JSON
    return cell["cell_type"] == "code" and (
        CHECK_TAG in cell.get("metadata", {}).get("tags", []) or source.lstrip().startswith(CHECK))


def checked_text(cell):
    """What a checked cell printed, as nbval compares it: [(stream name or "text/plain", text)]."""
    texts = []
    for out in cell.get("outputs", []):
        if out["output_type"] == "stream":
            if texts and texts[-1][0] == out["name"]:  # one stream, however the kernel chunked it
                texts[-1] = (out["name"], texts[-1][1] + out["text"])
            else:
                texts.append((out["name"], out["text"]))
        elif out["output_type"] in ("execute_result", "display_data") and "text/plain" in out.get("data", {}):
            texts.append(("text/plain", out["data"]["text/plain"]))
    return texts


def clean(nb):
    """Drop outputs (but checked cells' text), execution counts and widget state."""
    nb.metadata.pop("widgets", None)
    nb.metadata["language_info"] = {"name": "python"}  # no interpreter version churn
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type != "code":
            continue
        kept = []
        if not is_checked(cell):
            # nbval wants an execution count on a checked cell (else: "unrun reference
            # cell"); in a top-to-bottom run it is the cell's place, so it is stable.
            cell.execution_count = None
        else:
            for out in cell.outputs:
                if out.output_type == "stream":
                    kept.append(out)
                elif out.output_type == "execute_result":
                    out.execution_count = None
                    out.data = {"text/plain": out.data["text/plain"]}
                    out.metadata = {}
                    kept.append(out)
        cell.outputs = kept
    return nb


def refresh(path):
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(Path(path).parent)}}).execute()
    nbformat.write(clean(nb), path)


def main(paths):
    if paths[:1] == ["refresh"]:  # the one command; ``python -m tests.tools.notebooks PATH`` works too
        paths = paths[1:]
    paths = paths or sorted(str(p) for p in (ROOT / "notebooks").glob("*.ipynb"))
    for path in paths:
        refresh(path)
        print("refreshed", path)


if __name__ == "__main__":
    main(sys.argv[1:])
