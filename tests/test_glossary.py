"""docs/glossary.md against the notebooks: every bold term is in the glossary, every
"where introduced" link lands on a real heading that mentions the term, and every Chinese
name is one the notebooks use (the tutorial's own terms where the notebooks attribute
them to the tutorial)."""

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
GLOSSARY = ROOT / "docs" / "glossary.md"
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))  # sorted names are the course order

CJK = re.compile(r"[\u4e00-\u9fff]+")
BOLD = re.compile(r"\*\*(.+?)\*\*", re.S)
# what follows a bold term when it gives the Chinese name: **one-hot vector** (独热向量, ...)
CHINESE_AFTER = re.compile(r"\s*[(（]\s*([\u4e00-\u9fff][^)）]*)[)）]")
LINK = re.compile(r'\[[^\]]*\]\((\.\./notebooks/([^)/]+\.ipynb))\),\s*"(.+)"\s*$')

# Bold that is not a term. Each entry is a normalised bold text (see `normalise`).
NOT_TERMS = {
    # lead-ins: a bold sentence or question that opens a paragraph
    "what you will build and see", "inputs and outputs have different lengths in different examples",
    "features are not shared across positions", "reading the subscripts",
    "hidden layer or hidden state", "two slips with $\\tanh'$",
    "errata: where the source tutorial's derivatives are imprecise",
    "caches and arrays must not share memory by accident", "where the source tutorial slips",
    "the source tutorial gets this example backwards", "the source tutorial's slip", "speed",
    "the tutorial's description of $\\gamma_r$, corrected", "update on the new or on the old value",
    "reset before or after the product", "why start the forget bias at 1",
    "how saturated are the gates", "the long-clause agreement at matched parameter counts",
    "on this corpus, depth does not help",
    # emphasis inside a sentence
    "one", "same", "ends", "lengths differ between examples", "follows", "through step $t$",
    "sums over all steps", "from the last character back to the first", "train",
    "which steps read an input and which steps produce an output", "fed back", "true",
    "generates", "generate", "was", "were", "measured", "whatever the size of", "not",
    "sound alike", "its one-hot vector", "copies", "copy", "carried", "truncated", "sufficient",
    "necessary", "stalls", "logarithmic", "sum", "variant", "sum of the two marked values",
    "how much of $c^{\\langle t-1 \\rangle}$ enters the candidate", "last",
    "down first and then back along layer 1", "the same budget", "growing budgets",
    "1, 2 and 3 layers", "where the gradient vanishes", "layers × time grid",
    "why a brnn cannot generate text", "why speech recognition with a brnn must wait",
    "log",  # in "**log**-probabilities"
    "the same weights",  # carries 权重共享; the term is parameter sharing, bold in the same notebook
    # previews listing terms that are bold (and glossed) where they are taught
    "training, validation and test", "characters and words", "real text",
    # names of the course's explorers and their controls
    "timestep explorer", "gate explorer", "cell explorer", "bidirectional explorer",
    "play", "word", "prefix", "seed",
}
NOT_TERM_PATTERNS = [
    re.compile(r"^\d+\.?$"),               # list numbers and emphasised digits: **1.**, **1**
    re.compile(r"^\d\d[a-z]? · "),          # the next notebook's title in a summary: **02 · ...**
    re.compile(r"^write .+"),              # exercise announcements: **write one step ... yourself**
]

# The source tutorial's terms that differ from the common ones (the course's outline of the
# tutorial, sections 5-7; notebooks 05, 06 and 07 say so): common term -> the tutorial's.
TUTORIAL_TERMS = {"重置门": "相关门", "输入门": "更新门", "梯度裁剪": "梯度修剪"}


def normalise(text):
    """Lower case, single spaces, no surrounding punctuation, no trailing (中文名)."""
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"\s*[(（][^)）]*[\u4e00-\u9fff][^)）]*[)）]$", "", text)
    return text.strip(" .,:;!?\"'“”‘’`*").lower()


def markdown_cells(path):
    """The markdown cells of a notebook, fenced code left out, `**` inside inline code
    (`x**2`) hidden so that it cannot open a bold span."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    out = []
    for cell in nb["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        lines, fenced = [], False
        for line in "".join(cell["source"]).split("\n"):
            if line.startswith("```"):
                fenced = not fenced
            elif not fenced:
                lines.append(re.sub(r"`[^`\n]*`", lambda m: m.group(0).replace("**", "^^"), line))
        out.append("\n".join(lines))
    return out


CELLS = {p.name: markdown_cells(p) for p in NOTEBOOKS}
MARKDOWN = {name: "\n\n".join(cells) for name, cells in CELLS.items()}
ORDER = {p.name: i for i, p in enumerate(NOTEBOOKS)}


def sections(name):
    """heading text -> the section's text (heading line included) up to the next heading."""
    out, current = {}, None
    for line in MARKDOWN[name].split("\n"):
        if line.startswith("#"):
            current = line.lstrip("#").strip()
            out[current] = ""
        if current is not None:
            out[current] += line + "\n"
    return out


def names_of(cell):
    """Normalised names in a glossary English cell: 'a (A) / b' gives a (a), a, A and b."""
    names = set()
    for part in cell.split(" / "):
        part = part.replace("**", "").replace("`", "").strip()
        names.add(normalise(part))
        paren = re.match(r"^(.*?)\s*\(([^)]*)\)$", part)
        if paren:
            names.update(normalise(p) for p in paren.groups())
    names.discard("")
    return names


def glossary_rows():
    rows = []
    for line in GLOSSARY.read_text(encoding="utf-8").split("\n"):
        if not line.startswith("| **"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split(" | ")]
        assert len(cells) == 4, f"a row needs 4 columns: {line}"
        english, chinese, meaning, where = cells
        term = normalise(re.match(r"\*\*(.+?)\*\*", english).group(1))
        rows.append({"line": line, "term": term, "names": names_of(english), "chinese": chinese,
                     "meaning": meaning, "where": where})
    return rows


ROWS = glossary_rows()


def row_for(term):
    """The glossary row naming `term` (a normalised bold text), a plain -s plural allowed."""
    for row in ROWS:
        if term in row["names"] or (term.endswith("s") and term[:-1] in row["names"]):
            return row
    return None


def bold_terms():
    """(notebook, normalised bold text, raw bold text) for every bold text that is a term."""
    out = []
    for name, cells in CELLS.items():
        for m in (m for text in cells for m in BOLD.finditer(text)):
            term = normalise(m.group(1))
            if term in NOT_TERMS or any(p.search(term) for p in NOT_TERM_PATTERNS):
                continue
            out.append((name, term, m.group(1)))
    return out


def test_glossary_has_rows_and_no_name_twice():
    assert len(ROWS) >= 50, f"only {len(ROWS)} glossary rows parsed"
    seen = {}
    for row in ROWS:
        assert row["meaning"] and "|" not in row["meaning"], row["line"]
        for n in row["names"]:
            assert n not in seen, f"{n!r} is named in two rows:\n{seen[n]}\n{row['line']}"
            seen[n] = row["line"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_bold_term_is_in_the_glossary(path):
    missing = sorted({raw for name, term, raw in bold_terms()
                      if name == path.name and row_for(term) is None})
    assert not missing, (
        f"{path.name} writes these in bold but docs/glossary.md has no row for them: {missing} "
        "(add a row, or, if the bold is emphasis, add it to NOT_TERMS in tests/test_glossary.py)"
    )


def test_allow_list_holds_no_glossary_term_and_nothing_stale():
    in_bold = {normalise(m.group(1)) for cells in CELLS.values() for text in cells
               for m in BOLD.finditer(text)}
    for entry in NOT_TERMS:
        assert row_for(entry) is None, f"{entry!r} is a glossary term: drop it from NOT_TERMS"
        assert entry in in_bold, f"{entry!r} is no longer bold in any notebook: drop it from NOT_TERMS"


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r["term"])
def test_where_introduced_is_a_heading_that_mentions_the_term(row):
    m = LINK.search(row["where"])
    assert m, f"'where introduced' must be [name](../notebooks/NN_x.ipynb), \"heading\": {row['where']}"
    target, notebook, heading = m.groups()
    assert (GLOSSARY.parent / target).resolve().is_file(), f"no notebook {target}"
    found = sections(notebook)
    assert heading in found, f"{notebook} has no heading {heading!r}; it has {sorted(found)}"
    section = re.sub(r"\s+", " ", found[heading].replace("`", "")).lower()
    assert any(n in section for n in row["names"]), (
        f"the section {heading!r} of {notebook} names none of {sorted(row['names'])}")
    # introduced, not first bolded later: no earlier notebook may bold the term
    first_bold = min((ORDER[name] for name, term, _ in bold_terms() if row_for(term) is row),
                     default=len(ORDER))
    assert ORDER[notebook] <= first_bold, (
        f"{sorted(row['names'])} is bold in {NOTEBOOKS[first_bold].name} before {notebook}")


ALL_TEXT = "\n".join(MARKDOWN.values())


@pytest.mark.parametrize("row", [r for r in ROWS if CJK.search(r["chinese"])],
                         ids=lambda r: r["term"])
def test_every_chinese_name_is_one_the_notebooks_use(row):
    """No invented translations: each Chinese name is written in some notebook's prose."""
    for zh in CJK.findall(row["chinese"]):
        assert zh in ALL_TEXT, f"{zh} (glossary row {sorted(row['names'])}) is in no notebook"


def test_the_tutorials_own_terms_are_marked_and_attributed():
    """Where the tutorial's term differs, the glossary gives both, the tutorial's marked, and
    a notebook says, near it, that it is the tutorial's."""
    marked = {}
    for row in ROWS:
        common, _, tutorial = row["chinese"].partition("*tutorial:*")
        if tutorial:
            marked[CJK.findall(common)[0]] = CJK.findall(tutorial)[0]
    assert marked == TUTORIAL_TERMS
    for common, tutorial in TUTORIAL_TERMS.items():
        spots = [m.start() for m in re.finditer(tutorial, ALL_TEXT)]
        assert any(common in ALL_TEXT[max(0, s - 200): s + 200]
                   and re.search(r"tutorial|elsewhere", ALL_TEXT[max(0, s - 200): s + 200])
                   for s in spots), f"no notebook says that {tutorial} is the tutorial's {common}"


def test_chinese_names_the_notebooks_give_are_in_the_glossary():
    """**term** (中文名): the glossary row for the term carries that Chinese name."""
    for text in (text for cells in CELLS.values() for text in cells):
        for m in BOLD.finditer(text):
            after = CHINESE_AFTER.match(text, m.end())
            row = row_for(normalise(m.group(1)))
            if after is None or row is None:  # row None: emphasis, see NOT_TERMS
                continue
            zh = CJK.findall(after.group(1))[0]
            assert zh in row["chinese"], (
                f"the notebooks call **{m.group(1)}** {zh}; its glossary row says {row['chinese']}")
