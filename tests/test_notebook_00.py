"""Notebook 00 (notation): its explorer's wiring, moved out of the lesson, what it shows
(a title that fits, a token table that wraps, a heatmap that fits one screen), and the
Chinese word segmentation (jieba) its word granularity uses."""

import html
import os
import re
import subprocess
import sys
import time

import numpy as np
import pytest

from course_lib.data import UNK, Vocabulary, tokenize
from course_lib.data.corpora import chinese_sentences
from course_lib.widgets import NotationExplorer
from course_lib.widgets.notation import MAX_ROWS, TABLE_CHUNK, onehot_figure_and_frames, token_table_html

# The notebook's explorer: its corpus and its first sentence (notebooks/00_notation.ipynb).
CORPUS = [
    "王刚和李明去上班了",
    "李明和王刚是同事",
    "我爱吃油泼辣子面,味道非常好。",
    "王刚已经离开学校了",
    "李明去学校上班了",
    "The cat, which already ate a bunch of food, was full.",
    "The cats, which already ate a bunch of food, were full.",
]
NOODLES = "我爱吃油泼辣子彪彪面,味道非常好。"
LONG = "The cat, which already ate a bunch of food, was full. 王刚和李明去上班了，李明和王刚是同事。"


@pytest.fixture(scope="module")
def notation():
    return NotationExplorer(CORPUS, sentence=NOODLES, granularity="char")


def _title_lines(text):
    """The lines of a plotly title as shown: split at <br>, the <span> markup removed."""
    return [re.sub(r"</?span[^>]*>", "", line) for line in text.split("<br>")]


# --- the wiring (was two assert cells of the notebook) --------------------------------


def test_moving_the_slider_writes_the_step_into_the_figure(notation):
    figure = notation.explorer.figure_widget
    before = (figure.layout.shapes[0].x0, figure.layout.title.text)
    notation.explorer.show(7)  # t = 8: the first 彪, not in the vocabulary
    after = (figure.layout.shapes[0].x0, figure.layout.title.text)
    assert before != after and after[0] == 7.5
    assert _title_lines(after[1]) == [f"x<8> = one-hot of {UNK}",
                                      "‘彪’ is not in the vocabulary: a 1 in row 0 (n_x = 55)"]
    notation.explorer.show(0)
    assert (figure.layout.shapes[0].x0, figure.layout.title.text) == before


def test_the_snapshot_has_a_frame_per_token(notation):
    snapshot = notation.explorer.snapshot()
    assert len(snapshot.frames) == notation.explorer.n_steps == len(NOODLES)
    assert "x<17>" in snapshot.frames[-1].layout.title.text


# --- what the learner sees ------------------------------------------------------------


@pytest.mark.parametrize("granularity", ["char", "word"])
def test_every_title_line_is_short_enough_not_to_be_cut(granularity):
    """The explorer's title was cut off at <UNK> (one line of 80 characters): now two short lines."""
    vocabulary = Vocabulary.build(CORPUS, granularity, max_size=12)  # many <UNK>
    for sentence in (NOODLES, LONG, "supercalifragilisticexpialidocious " * 2):
        _, frame, n = onehot_figure_and_frames(vocabulary, sentence)
        for t in range(n):
            lines = _title_lines(frame(t)["layout"]["title"]["text"])
            assert len(lines) == 2 and f"x<{t + 1}>" in lines[0]
            assert len(lines[0]) <= 40 and len(lines[1]) <= 72, lines  # 16 px and 12 px fonts: < 500 px


def test_the_token_table_wraps_in_blocks_that_each_name_their_rows():
    vocabulary = Vocabulary.build(CORPUS)
    table = token_table_html(vocabulary, LONG)
    blocks = re.findall(r"<table.*?</table>", table)
    n_tokens = len(tokenize(LONG))
    assert len(blocks) == -(-n_tokens // TABLE_CHUNK)
    container = table[: table.index("<table")]
    assert "flex-wrap:wrap" in container and "overflow-x:auto" in container  # wraps; scrolls where it is
    shown = []
    for block in blocks:
        assert [h for h in re.findall(r"<th[^>]*>(.*?)</th>", block)] == ["t", "token", "index"]
        t_row = re.search(r"<th[^>]*>t</th>(.*?)</tr>", block).group(1)
        shown += [int(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", t_row)]
    assert shown == list(range(1, n_tokens + 1))
    summary = html.unescape(re.sub(r"<[^>]+>", "", table[table.rindex("</div>"):]))
    assert summary == f"Tx = {n_tokens}, nx = {vocabulary.n_x}, 1 token(s) mapped to {UNK}"  # the full-width ，


def _rows(fig):
    return list(fig.data[0].y)


def test_a_small_vocabulary_draws_every_row():
    vocabulary = Vocabulary.build(CORPUS[:3])
    assert vocabulary.n_x <= MAX_ROWS
    fig, _, _ = onehot_figure_and_frames(vocabulary, "王刚和李明")
    assert _rows(fig) == [f"{k} {tok}" for k, tok in enumerate(vocabulary.tokens)]


@pytest.mark.parametrize("sentence", [NOODLES, LONG, "王刚和李明"])
def test_a_large_vocabulary_draws_the_rows_that_matter_and_fits_one_screen(sentence):
    """55 rows were 850 px tall: now every row holding a 1 is drawn and labelled, the other
    rows are folded into ranges (all 0), and the figure fits one screen with the controls."""
    vocabulary = Vocabulary.build(CORPUS)
    assert vocabulary.n_x > MAX_ROWS
    fig, _, n = onehot_figure_and_frames(vocabulary, sentence)
    indices = vocabulary.encode(sentence)
    x = np.zeros((vocabulary.n_x, n))
    x[indices, np.arange(n)] = 1.0
    z = np.array(fig.data[0].z)
    covered = []
    for label, row in zip(_rows(fig), z):
        folded = re.fullmatch(r"(\d+)–(\d+): all 0", label)
        if folded:
            first, last = map(int, folded.groups())
            assert last > first and not x[first:last + 1].any() and not row.any()
            covered += range(first, last + 1)
        else:
            k = int(label.split(" ")[0])
            token = vocabulary.tokens[k]
            assert label == f"{k} {'␣' if token == ' ' else token}"  # a space is shown as ␣
            assert np.array_equal(row, x[k])
            covered.append(k)
    assert covered == list(range(vocabulary.n_x))  # every vocabulary row, in order, once
    assert {0, 1} | set(indices) <= {int(lab.split(" ")[0]) for lab in _rows(fig) if "all 0" not in lab}
    assert fig.layout.height <= 600
    shown = set(fig.layout.yaxis.tickvals)
    assert all(lab in shown for lab in _rows(fig)) or len(_rows(fig)) > 40  # all labelled unless huge


def test_the_notebooks_explorer_is_compact(notation):
    """Its 17 tokens in two blocks of the table, its 55 rows in a figure of ~500 px (was 1000)."""
    assert len(re.findall(r"<table", notation.table.value)) == 2
    assert notation.vocabulary.n_x == 55 and notation.explorer.figure_widget.layout.height <= 560


# --- Chinese words: jieba, silent, and timed -------------------------------------------


def test_chinese_is_cut_into_words_and_decoded_without_spaces():
    assert tokenize("王刚和李明去上班了", "word") == ["王刚", "和", "李明", "去", "上班", "了"]
    assert tokenize("他说,「王刚已经离开学校了」", "word") == [
        "他", "说", ",", "「", "王刚", "已经", "离开", "学校", "了", "」"]
    # Spaces typed between words still separate them; the English rules are unchanged.
    assert tokenize("王刚 和 李明 去 上班 了。", "word") == ["王刚", "和", "李明", "去", "上班", "了", "。"]
    assert tokenize("用AI模型 cat's 诗", "word") == ["用", "AI", "模型", "cat's", "诗"]
    for sentence in chinese_sentences():
        words = tokenize(sentence, "word")
        assert "".join(words) == sentence.replace(" ", "")
        vocabulary = Vocabulary.build([sentence], "word")
        assert vocabulary.decode(vocabulary.encode(sentence)) == sentence


def test_words_make_chinese_shorter_than_characters():
    sentences = chinese_sentences()
    chars = sum(len(tokenize(s, "char")) for s in sentences)
    words = sum(len(tokenize(s, "word")) for s in sentences)
    assert 0.55 < words / chars < 0.75


def test_jieba_loads_silently_and_in_acceptable_time(tmp_path):
    """From a cold start (no dictionary cache: jieba builds one and logs while it does)
    the first Chinese word prints nothing, warns nothing, and takes a few seconds at most."""
    code = (
        "import time, warnings; warnings.simplefilter('error')\n"
        "from course_lib.data import tokenize\n"
        "start = time.perf_counter()\n"
        "assert tokenize('王刚和李明去上班了', 'word')[0] == '王刚'\n"
        "print(f'{time.perf_counter() - start:.3f}', end='')\n"
    )
    env = {**os.environ, "TMPDIR": str(tmp_path)}  # jieba's cache goes to the temp dir
    for run in ("cold", "warm"):
        start = time.perf_counter()
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
        assert result.stderr == "", f"{run} start wrote to stderr: {result.stderr!r}"
        seconds = float(result.stdout)
        print(f"jieba, {run}: first Chinese word in {seconds:.2f} s "
              f"(process {time.perf_counter() - start:.2f} s)")
        assert seconds < 8.0  # about 1 s on a quiet machine; the cores are shared in CI
    assert (tmp_path / "jieba.cache").is_file()  # the cold run built the cache the warm one read
