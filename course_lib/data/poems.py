"""A corpus of real text that ships with the course: the Three Hundred Tang Poems (唐诗三百首).

Derived in notebooks/04b_language_models_in_practice.ipynb, "A real corpus: Tang poems".

The poems are the anthology compiled by 蘅塘退士 (Sun Zhu) in 1763, in the text Debian
packages as ``fortunes-zh`` (``/usr/share/games/fortunes/tang300``, version 2.98,
GPL-3.0-or-later as a package; the poems themselves, over a thousand years old, are in the
public domain). ``tang300.txt`` beside this module is that file with its colour codes
removed; ``python -m course_lib.data.poems --rebuild PATH`` makes it again from the
Debian file. Nothing is downloaded.
"""

import argparse
import re
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Poem", "TANG_FILE", "poem_lines", "tang_poems"]

TANG_FILE = Path(__file__).with_name("tang300.txt")
_HEADER = "# "  # the file's own lines of provenance start with this


@dataclass(frozen=True)
class Poem:
    """One poem: its title, its author and its lines (each line a couplet such as
    寒山转苍翠，秋水日潺湲。)."""

    title: str
    author: str
    lines: tuple

    @property
    def text(self):
        """The poem's lines joined, without title or author: what the models read."""
        return "".join(self.lines)


def tang_poems():
    """The 313 poems of the anthology, in its order: a new list of Poem.

    Derived in notebooks/04b_language_models_in_practice.ipynb, "A real corpus: Tang poems"
    """
    text = TANG_FILE.read_text(encoding="utf-8")
    body = "\n".join(line for line in text.splitlines() if not line.startswith(_HEADER))
    poems = []
    for block in body.split("\n%\n"):
        lines = [line.strip() for line in block.strip().splitlines() if line.strip()]
        if len(lines) < 3:
            continue
        title, author = lines[0].strip("《》"), lines[1].removeprefix("作者：")
        poems.append(Poem(title, author, tuple(lines[2:])))
    return poems


def poem_lines(poems):
    """Every line of ``poems`` (a list of Poem), in order: a new list of str.

    Derived in notebooks/04b_language_models_in_practice.ipynb, "Memorisation"
    """
    if not isinstance(poems, (list, tuple)) or not all(isinstance(p, Poem) for p in poems):
        raise ValueError(f"poems must be a list of Poem (from tang_poems()), got {type(poems).__name__}")
    return [line for poem in poems for line in poem.lines]


def _rebuild(source):
    """tang300.txt from Debian's fortunes-zh file: colour codes removed, a header added."""
    raw = Path(source).read_text(encoding="utf-8")
    clean = re.sub(r"\x1b\[[0-9;]*m", "", raw).strip() + "\n"
    header = (f"{_HEADER}唐诗三百首 (Three Hundred Tang Poems, compiled by 蘅塘退士 in 1763; the poems are in the public domain).\n"
              f"{_HEADER}From Debian's fortunes-zh 2.98 ({source}; GPL-3.0-or-later as a package), colour codes removed\n"
              f"{_HEADER}by `python -m course_lib.data.poems --rebuild {source}`.\n")
    TANG_FILE.write_text(header + clean, encoding="utf-8")
    return TANG_FILE


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rebuild", metavar="PATH", default="/usr/share/games/fortunes/tang300",
                        help="the tang300 file of Debian's fortunes-zh (apt-get install fortunes-zh)")
    print("wrote", _rebuild(parser.parse_args().rebuild))
