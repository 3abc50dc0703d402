"""The explorers' FigureWidget (course_lib/widgets/_figure.py): it opens whole, carries a small
loader instead of plotly's 5 MB widget code, and names the kernel's one model holding that
code. (That the loader draws and updates figures in a browser is what every notebook's
browser check, Voilà's, the classroom's and JupyterLite's test see when the slider moves.)"""

import json

import plotly
import plotly.graph_objects as go

from course_lib.widgets import _figure
from course_lib.widgets._figure import figure_widget


def _bar(y):
    return go.Figure(go.Bar(y=y))


def _code_model(widget):
    """The model the figure names, which must be the module's current one."""
    holder = _figure._plotly_code
    assert widget.get_state()["_course_plotly_code"] == f"IPY_MODEL_{holder.model_id}"
    return holder


def test_a_figure_carries_the_loader_and_opens_with_its_data():
    widget = figure_widget(_bar([1, 2, 3]))
    state = widget.get_state()
    assert state["_esm"] == _figure._LOADER_ESM
    assert len(json.dumps(state)) < 20_000  # plotly's widget code is not in it
    assert widget.comm is not None
    assert list(state["_widget_data"][0]["y"]) == [1, 2, 3]


def test_every_figure_names_one_open_model_holding_plotlys_code():
    first, second = figure_widget(_bar([1])), figure_widget(_bar([2]))
    holder = _code_model(first)
    assert _code_model(second) is holder
    assert holder.comm is not None
    assert holder.code == str(go.FigureWidget._esm)
    assert len(holder.code) > 1_000_000 and "FigureModel" in holder.code
    assert first.get_state()["_course_bundle_key"] == f"plotly {plotly.__version__}"


def test_a_closed_code_model_is_replaced_by_an_open_one():
    holder = _code_model(figure_widget(_bar([1])))
    holder.close()
    again = _code_model(figure_widget(_bar([1])))
    assert again is not holder and again.comm is not None
    assert again.code == holder.code
