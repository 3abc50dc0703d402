"""The static pages' side of the course (web/site.py, course_lib/widgets/_display.py).

Executed for the pages (COURSE_STATIC_PAGES=1), every course widget shows what a page can
show without a kernel: an explorer its snapshot (a plotly figure with one frame per step
and plotly's slider), the self-check its questions. Each widget class is built from its
valid call in tests/bad_input_table.py, so a new one is checked by being listed there.
Then the page converter: figures become HTML for the site's one plotly.js, a progress bar
shows how it ended, and a widget with no static face stops the build, naming its cell.
"""

import inspect

import plotly.graph_objects as go
import pytest

import course_lib.widgets as course_widgets
from course_lib.quizzes import quiz_for
from course_lib.widgets import SelfCheck
from course_lib.widgets._display import STATIC_PAGES
from tests.bad_input_table import SPECS

EXPLORERS = sorted(name for name, obj in vars(course_widgets).items()
                   if inspect.isclass(obj) and name.endswith("Explorer"))
VALID = {spec.name.rsplit(".", 1)[1]: spec for spec in SPECS if spec.name.rsplit(".", 1)[1] in EXPLORERS}


def _shown(obj, monkeypatch, static):
    """What ``display(obj)`` displays, as a list of objects."""
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda *objs, **kw: shown.extend(objs))
    if static:
        monkeypatch.setenv(STATIC_PAGES, "1")
    else:
        monkeypatch.delenv(STATIC_PAGES, raising=False)
    obj._ipython_display_()
    return shown


def test_every_explorer_has_a_valid_call():
    assert EXPLORERS and set(VALID) == set(EXPLORERS), f"explorers without a valid call: {set(EXPLORERS) - set(VALID)}"


@pytest.mark.parametrize("name", EXPLORERS)
def test_an_explorer_shows_its_snapshot_on_a_static_page(name, monkeypatch):
    explorer = VALID[name].fn(**VALID[name].valid())
    live = _shown(explorer, monkeypatch, static=False)
    assert live == [explorer.widget]
    note, figure = _shown(explorer, monkeypatch, static=True)
    assert "snapshot" in note.data and "Run" in note.data
    assert isinstance(figure, go.Figure) and not isinstance(figure, go.FigureWidget)
    # It steps through frames with plotly's slider, or (the architectures) through a dropdown.
    views = len(figure.frames) if figure.layout.sliders else sum(len(m.buttons) for m in figure.layout.updatemenus)
    assert views >= 2, "a snapshot that cannot step"


def test_the_self_check_shows_its_questions_without_answers(monkeypatch):
    quiz = quiz_for("00_notation")
    check = SelfCheck(quiz)
    assert _shown(check, monkeypatch, static=False) == [check.widget]
    (page,) = _shown(check, monkeypatch, static=True)
    assert page.data.count("<li>") >= len(quiz.questions)
    for question in quiz.questions:
        assert question.prompt in page.data
        # Nothing that gives an answer away: no choice's or mistake's explanation.
        for why in [c.why for c in getattr(question, "choices", ())] + [m.why for m in getattr(question, "mistakes", ())]:
            assert why not in page.data
    assert "checked in the notebook" in page.data


# --- the page converter ---------------------------------------------------------------

def _notebook(outputs, widget_state=None):
    nb = {"cells": [{"cell_type": "markdown", "source": "# 00 · A title", "metadata": {}},
                    {"cell_type": "code", "source": "show()", "metadata": {}, "outputs": outputs}],
          "metadata": {}}
    if widget_state is not None:
        nb["metadata"]["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": widget_state}}
    return nb


def _widget_output(model_id):
    return {"output_type": "display_data", "metadata": {},
            "data": {"application/vnd.jupyter.widget-view+json": {"model_id": model_id}, "text/plain": "HBox()"}}


def test_a_figure_becomes_html_for_the_sites_one_plotly_js():
    from web.site import for_pages

    figure = go.Figure(go.Bar(y=[1, 2, 3]), frames=[go.Frame(data=[go.Bar(y=[3, 2, 1])], name="1")]).to_plotly_json()
    nb = for_pages(_notebook([{"output_type": "display_data", "metadata": {},
                               "data": {"application/vnd.plotly.v1+json": figure}}]), "00_x", "lite/x")
    (output,) = nb["cells"][2]["outputs"]
    html = output["data"]["text/html"]
    assert "Plotly.newPlot" in html and 'id="00_x-figure-1"' in html
    assert "Plotly.animate" not in html, "the page would play a snapshot's frames on load"
    assert len(html) < 20_000, "plotly.js itself is in the figure's HTML"
    assert "application/vnd.plotly.v1+json" not in output["data"]
    assert 'href="lite/x"' in nb["cells"][1]["source"], "the link to run the notebook follows the title"


def test_a_progress_bar_shows_how_it_ended():
    from web.site import for_pages

    state = {"bar": {"model_name": "HBoxModel", "state": {"children": ["IPY_MODEL_l", "IPY_MODEL_p", "IPY_MODEL_r"]}},
             "l": {"model_name": "HTMLModel", "state": {"value": "training: 100%"}},
             "p": {"model_name": "FloatProgressModel", "state": {"value": 40, "max": 40}},
             "r": {"model_name": "HTMLModel", "state": {"value": "40/40 [00:01&lt;00:00]"}}}
    nb = for_pages(_notebook([_widget_output("bar")], state), "00_x", "lite/x")
    html = nb["cells"][2]["outputs"][0]["data"]["text/html"]
    assert "training: 100%" in html and '<progress value="40" max="40">' in html and "40/40" in html
    assert "widgets" not in nb["metadata"], "the widget state would be on the page"


def test_a_widget_with_no_static_face_stops_the_build_naming_its_cell():
    from web.site import for_pages

    state = {"w": {"model_name": "IntSliderModel", "state": {}}}
    with pytest.raises(ValueError, match=r"00_x: widgets with no static face.*\ncell 1: show\(\)"):
        for_pages(_notebook([_widget_output("w")], state), "00_x", "lite/x")
