"""The FigureWidget every explorer draws in: its data already in the model it opens with,
and plotly's widget code loaded once per page, not once per figure.

plotly 6's ``go.FigureWidget`` opens its comm in the constructor (ipywidgets does) while its
``_widget_data`` and ``_widget_layout`` are still empty, and sends them in two messages
afterwards; its view draws what the model holds when it renders. ``figure_widget`` opens
the comm once the figure is whole, so the figure is drawn in any case.

plotly's widget code (``_esm``, 5 MB: plotly.js and the widget) is sent inline with every
FigureWidget, and the browser compiles it anew for each one, about a second of CPU each.
anywidget gives a model 2 s to load its code: past them it drops every message to the
model for good (anywidget 0.11, ``Runtime``'s ``AbortSignal.timeout(2000)``), and on a busy
device the explorer then moved a frozen figure. So the course's FigureWidget carries a
small loader instead (``_LOADER_ESM``) and the name of the kernel's one ``_PlotlyCode``
model, which holds plotly's code: the first figure on a page compiles it from there, and
every later figure on the page (any notebook, any kernel with the same plotly) reuses the
module already compiled. The loader reads the code from the page's copy of that model:
it cannot ask the kernel, which answers only between cells (during Run All, too late).
"""

import ipywidgets
import plotly
import plotly.graph_objects as go
import traitlets

_BUNDLE_KEY = f"plotly {plotly.__version__}"  # one compiled copy per page and plotly version

_LOADER_ESM = """
const CACHE = Symbol.for("course_lib.plotly_widget");

async function holderOf(model) {
  // The _PlotlyCode model opened before this figure's; on a page restoring a kernel's
  // widgets it may be registered a moment later.
  const id = model.get("_course_plotly_code").slice("IPY_MODEL_".length);
  for (let waited = 0; ; waited += 50) {
    try {
      return await model.widget_manager.get_model(id);
    } catch (error) {
      if (waited >= 1500) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

function plotlyWidget(model) {
  const cache = (globalThis[CACHE] ??= new Map());
  const key = model.get("_course_bundle_key");
  if (!cache.has(key)) {
    const loading = holderOf(model).then(async (holder) => {
      const url = URL.createObjectURL(new Blob([holder.get("code")], { type: "text/javascript" }));
      try {
        return await import(url);
      } finally {
        URL.revokeObjectURL(url);
      }
    });
    loading.catch(() => cache.delete(key)); // a failed load is tried again by the next figure
    cache.set(key, loading);
  }
  return cache.get(key);
}

export default () => {
  let widget; // plotly's own widget for this model
  return {
    async initialize(props) {
      widget = (await plotlyWidget(props.model)).default();
      return widget.initialize(props);
    },
    render(props) {
      return widget.render(props);
    },
  };
};
"""


class _PlotlyCode(ipywidgets.Widget):
    """plotly's widget code, sent to the page once per kernel (never displayed)."""

    code = traitlets.Unicode().tag(sync=True)


_plotly_code = None


def _plotly_code_model():
    global _plotly_code
    if _plotly_code is None or _plotly_code.comm is None:  # none yet, or closed (Widget.close_all())
        _plotly_code = _PlotlyCode(code=str(go.FigureWidget._esm))  # anywidget read the file once
    return _plotly_code


class _WholeFigureWidget(go.FigureWidget):
    _esm = _LOADER_ESM
    _course_bundle_key = traitlets.Unicode(_BUNDLE_KEY).tag(sync=True)
    _course_plotly_code = traitlets.Unicode().tag(sync=True)

    def open(self):
        if self.__dict__.get("_course_whole"):  # ipywidgets calls open() inside the constructor: not yet
            super().open()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._course_plotly_code = f"IPY_MODEL_{_plotly_code_model().model_id}"
        self._course_whole = True
        self.open()


def figure_widget(figure):
    """A ``go.FigureWidget`` of ``figure`` whose comm opens with the data and layout in it."""
    return _WholeFigureWidget(figure)
