"""No module of course_lib uses another module's ``_private`` name.

A name with one leading underscore is its module's own business: another module that
imports it (``from course_lib.rnn import _helper``) or reaches for it
(``import course_lib.rnn`` ... ``course_lib.rnn._helper``) breaks as soon as that module
is rewritten. What is shared belongs in a public name. ``course_lib/_validate.py`` is a
private *module* whose public names are meant to be shared: importing the module, or its
names without an underscore, is fine.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "course_lib"
FILES = sorted(PACKAGE.rglob("*.py"))


def module_name(path, root=ROOT):
    """course_lib/rnn.py -> "course_lib.rnn"; course_lib/checks/__init__.py -> "course_lib.checks"."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def is_private(name):
    return name.startswith("_") and not name.startswith("__")


def resolve(module, level, importer, is_package):
    """The absolute module of a ``from ... import`` in ``importer`` (relative imports too)."""
    if not level:
        return module
    base = importer.split(".")
    base = base if is_package else base[:-1]
    base = base[: len(base) - (level - 1)]
    return ".".join(base + ([module] if module else []))


def private_uses(importer, source, is_package=False, modules=None):
    """Every ``_private`` name of another course_lib module that ``source`` imports or reads.

    Args:
        importer: the dotted name of the module whose source this is.
        source: its text.
        is_package: it is a package's __init__ (relative imports start from itself).
        modules: the dotted names of course_lib's modules (to tell ``from course_lib
            import _validate``, a module, from a private name); by default the real ones.
    Returns:
        sorted list of "module._name" strings.
    """
    modules = set(MODULES if modules is None else modules)
    tree = ast.parse(source)
    found = set()
    bound = {}  # local name -> the course_lib module it is bound to
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            origin = resolve(node.module, node.level, importer, is_package)
            if not origin or origin.split(".")[0] != "course_lib":
                continue
            for alias in node.names:
                submodule = f"{origin}.{alias.name}"
                if submodule in modules:  # a module, private or not: its private names are checked below
                    bound[alias.asname or alias.name] = submodule
                elif is_private(alias.name) and origin != importer:
                    found.add(f"{origin}.{alias.name}")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] != "course_lib":
                    continue
                if alias.asname:
                    bound[alias.asname] = alias.name
                else:
                    bound["course_lib"] = "course_lib"
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and is_private(node.attr):
            owner = dotted(node.value, bound)
            if owner in modules and owner != importer:
                found.add(f"{owner}.{node.attr}")
    return sorted(found)


def dotted(node, bound):
    """The module an expression such as ``course_lib.rnn`` or ``rnn`` names, or None."""
    if isinstance(node, ast.Name):
        return bound.get(node.id)
    if isinstance(node, ast.Attribute):
        owner = dotted(node.value, bound)
        return None if owner is None else f"{owner}.{node.attr}"
    return None


MODULES = {module_name(path) for path in FILES}


def test_every_module_is_found():
    assert {"course_lib", "course_lib.rnn", "course_lib.recurrent", "course_lib._validate"} <= MODULES


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_uses_another_modules_private_names(path):
    uses = private_uses(module_name(path), path.read_text(encoding="utf-8"), path.name == "__init__.py")
    assert not uses, f"{path.relative_to(ROOT)} uses private names of other modules: {uses}"


# The detector itself, on made-up sources: it flags what it must, and only that.
SOME = {"course_lib", "course_lib.rnn", "course_lib._validate", "course_lib.viz", "course_lib.viz.figures"}


@pytest.mark.parametrize(
    "source, flagged",
    [
        ("from course_lib.rnn import _as_rnn_caches, rnn_forward", ["course_lib.rnn._as_rnn_caches"]),
        ("from course_lib.rnn import _helper as helper", ["course_lib.rnn._helper"]),
        ("import course_lib.rnn\ncourse_lib.rnn._helper(1)", ["course_lib.rnn._helper"]),
        ("import course_lib.rnn as rnn\nx = rnn._helper", ["course_lib.rnn._helper"]),
        ("from course_lib import rnn\ndef f():\n    return rnn._helper()", ["course_lib.rnn._helper"]),
        ("def f():\n    from course_lib.rnn import _helper\n    return _helper", ["course_lib.rnn._helper"]),
        ("from .rnn import _helper", ["course_lib.rnn._helper"]),
        ("from course_lib._validate import _letters", ["course_lib._validate._letters"]),
        ("from course_lib import _validate\n_validate._letters('(n_a, m)')", ["course_lib._validate._letters"]),
        ("from course_lib._validate import checked, shaped_array", []),
        ("from course_lib import _validate\n_validate.checked", []),
        ("from course_lib.rnn import __all__, rnn_forward", []),
        ("import numpy as np\nnp._private_thing", []),
        ("from course_lib.rnn import rnn_forward\nrnn_forward._cache", []),
        ("class A:\n    def f(self):\n        return self._x", []),
    ],
)
def test_the_detector_flags_private_names_of_other_modules(source, flagged):
    assert private_uses("course_lib.lm", source, modules=SOME) == flagged


def test_a_module_may_use_its_own_private_names_and_packages_resolve_relative_imports():
    assert private_uses("course_lib.rnn", "import course_lib.rnn\ncourse_lib.rnn._helper", modules=SOME) == []
    assert private_uses("course_lib.viz", "from .figures import _theme", is_package=True, modules=SOME) == \
        ["course_lib.viz.figures._theme"]
    assert private_uses("course_lib.viz.figures", "from . import _colours", modules=SOME) == ["course_lib.viz._colours"]
