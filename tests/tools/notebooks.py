"""Keep the course's notebooks clean in git.

    python -m tests.tools.notebooks refresh [notebooks/NN_name.ipynb ...]

executes each notebook in a fresh kernel (as "Restart Kernel and Run All" would) and writes
it back with every output removed, except the plain-text outputs of cells marked
``# NBVAL_CHECK_OUTPUT``: nbval compares those against what it computes, so they must be
stored. No widget state, no execution counts.
"""

import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[2]
CHECK = "# NBVAL_CHECK_OUTPUT"
TEXT_OUTPUTS = ("stream", "execute_result")


def is_checked(cell):
    return cell.cell_type == "code" and cell.source.lstrip().startswith(CHECK)


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
    paths = paths or sorted(str(p) for p in (ROOT / "notebooks").glob("*.ipynb"))
    for path in paths:
        refresh(path)
        print("refreshed", path)


if __name__ == "__main__":
    main(sys.argv[1:])
