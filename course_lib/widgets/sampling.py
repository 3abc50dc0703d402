"""The sampling explorer of notebook 04: a sentence generated one drawn token at a time.

``SamplingExplorer(result, vocabulary)`` steps through one fixed sample.
``SamplingExplorer.from_model(parameters, vocabulary, seed=...)`` adds the controls of
how each token is drawn: the temperature τ, top-k, top-p (the nucleus), a prefix and the
seed. Moving one draws the sentence again with the same seed and the new settings
(``sampling_steps``, a plain function: the logic apart from the widgets) and writes it
into the same figure; the bars show the distribution each token was drawn from, and
outlines over them ŷ<t> at τ before the cut, so that a token top-k or top-p removed
shows as an outline with no bar.
"""

import html
import math
from typing import NamedTuple

import ipywidgets as widgets
import numpy as np

from course_lib import lm
from course_lib._validate import check_positive_int
from course_lib.activations import softmax_with_temperature
from course_lib.data import Vocabulary
from course_lib.viz.lm import sampling_step_figure, sampling_step_frame
from course_lib.widgets.explorer import TimestepExplorer, check_in_range, seed_of
from course_lib.widgets._display import show

__all__ = ["SamplingExplorer", "SamplingSteps", "sampling_steps"]

# The controls' ranges. τ on a log slider (10^-1 ... 10^0.7 ≈ 5), so that 0.1 → 0.2 is
# as far as 1 → 2; the rightmost option of top-k and top-p is "off" (keep every token),
# so that on all three sliders further right means more random.
TEMPERATURE_EXPONENTS = (-1.0, 0.7, 0.05)  # min, max, step of log10 τ
TOP_K_CHOICES = (1, 2, 3, 5, 10, 20, 50)  # those below n_y are offered, then "off"
TOP_P_CHOICES = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95)  # then "off"
OFF_K, OFF_P = 0, 1.0  # the sliders' values for "off"
MAX_SEED = 2**31 - 1


class SamplingSteps(NamedTuple):
    """One sentence drawn with given settings, and what it was drawn from.

    Attributes:
        result: the ``lm.SampleResult`` (its distributions (n_y, T): after τ and the cut).
        before_cut: (n_y, T), ŷ<t> = softmax(z<t> / τ) at each step before top-k / top-p.
        prefix_indices: the vocabulary indices of the prefix read before the first draw.
    """

    result: lm.SampleResult
    before_cut: np.ndarray
    prefix_indices: list


def sampling_steps(parameters, vocabulary, seed=0, temperature=1.0, top_k=None, top_p=None, prefix="",
                   max_length=50, cell="rnn"):
    """Draw a sentence with these settings, from a generator seeded afresh: same settings, same sentence.

    Args:
        parameters, vocabulary: the language model and its Vocabulary (n_y tokens).
        seed: an int seed ≥ 0 (or a np.random.Generator, drawn from once).
        temperature: τ > 0.
        top_k, top_p: None, or the truncation of ``lm.truncate_distribution`` (after τ).
        prefix: the str the sentence starts with ("" for none).
        max_length: most tokens to draw, ≥ 1.
        cell: "rnn" or another registered cell.
    Returns:
        SamplingSteps(result, before_cut (n_y, T), prefix_indices).

    ``lm.sample`` draws the tokens; reading the prefix and the drawn tokens again with
    teacher forcing gives log ŷ<t> at every step, and softmax(log ŷ<t> / τ) =
    softmax(z<t> / τ) (log ŷ differs from z by a constant per step), the distribution each
    token would have been drawn from without the cut.
    Derived in notebooks/04_language_model_sampling.ipynb, "The sampling explorer"
    """
    if not isinstance(vocabulary, Vocabulary):
        raise ValueError(f"vocabulary must be a Vocabulary, got {type(vocabulary).__name__}")
    seed = seed_of("seed", seed)
    result = lm.sample(parameters, vocabulary, np.random.default_rng(seed), temperature=temperature,
                       max_length=max_length, prefix=prefix, cell=cell, top_k=top_k, top_p=top_p)
    prefix_indices = vocabulary.encode(prefix)
    read = np.array([prefix_indices + result.indices.tolist()])  # (1, T_prefix + T)
    log_y_hat = lm.log_probabilities(parameters, read, cell=cell)[:, 0, len(prefix_indices):]  # (n_y, T)
    return SamplingSteps(result, softmax_with_temperature(log_y_hat, temperature), prefix_indices)


def _caption(seed, temperature, top_k, top_p, prefix):
    """The settings as the title's first line says them."""
    k = "off" if top_k is None else f"{top_k} (greedy)" if top_k == 1 else str(top_k)
    p = "off" if top_p is None else f"{top_p:g}"
    start = f", prefix ‘{html.escape(prefix)}’" if prefix else ""
    return f"τ = {temperature:.2f}, top-k = {k}, top-p = {p}{start}, seed {seed}"


def _check_top_k(top_k):
    if top_k is not None and (isinstance(top_k, (bool, np.bool_)) or top_k not in TOP_K_CHOICES
                              or not isinstance(top_k, (int, np.integer))):
        raise ValueError(f"top_k must be None (off) or one of the slider's {list(TOP_K_CHOICES)}, got {top_k!r}")
    return None if top_k is None else int(top_k)


def _check_top_p(top_p):
    if top_p is not None and (isinstance(top_p, (bool, np.bool_)) or not isinstance(top_p, (int, float, np.floating))
                              or not any(math.isclose(top_p, p) for p in TOP_P_CHOICES + (OFF_P,))):
        raise ValueError(f"top_p must be None (off) or one of the slider's {list(TOP_P_CHOICES) + [OFF_P]}, "
                         f"got {top_p!r}")
    return None if top_p is None or math.isclose(top_p, OFF_P) else min(TOP_P_CHOICES, key=lambda p: abs(p - top_p))


class SamplingExplorer:
    """Step through a ``lm.SampleResult``: at each t, ŷ<t> and the token drawn from it.

    Args:
        result: what ``lm.sample`` returned (at least one token drawn).
        vocabulary: the model's Vocabulary.
        top_k: bars shown per step, ≥ 1 (the most probable tokens; not a truncation).

    ``SamplingExplorer.from_model`` builds one with controls for τ, top-k and top-p.
    Derived in notebooks/04_language_model_sampling.ipynb, "The sampling explorer"
    """

    def __init__(self, result, vocabulary, top_k=15):
        if not all(hasattr(result, name) for name in ("tokens", "indices", "distributions")) \
                or not len(result.tokens):
            raise ValueError(f"result must be what lm.sample returned (a SampleResult), got {type(result).__name__}")
        if not isinstance(vocabulary, Vocabulary):
            raise ValueError(f"vocabulary must be a Vocabulary, got {type(vocabulary).__name__}")
        shape = getattr(result.distributions, "shape", ())
        if len(shape) != 2 or shape[1] != len(result.tokens):
            raise ValueError(f"result must be what lm.sample returned: its distributions (n_y, T) hold one column per "
                             f"token drawn, got shape {shape} for {len(result.tokens)} tokens")
        if len(vocabulary) != shape[0]:
            raise ValueError(f"vocabulary must be the model's Vocabulary, of the n_y = {shape[0]} tokens the result "
                             f"was drawn from, got one of {len(vocabulary)} tokens")
        # A fixed sample: what it was drawn from before a cut is unknown, and there is no model to draw again.
        self._start(vocabulary, check_positive_int("top_k", top_k), SamplingSteps(result, None, []), "", None)
        self.widget = self.explorer.widget

    def _start(self, vocabulary, bars, steps, caption, model):
        """The step explorer of ``steps``; ``model`` = (parameters, cell, max_length) to draw again, or None."""
        self.vocabulary, self.bars, self.steps, self.caption, self._model = vocabulary, bars, steps, caption, model
        self.explorer = TimestepExplorer(self._figure(), self._frame, len(steps.result.tokens), step_label=self._label)

    @classmethod
    def from_model(cls, parameters, vocabulary, seed=0, temperature=1.0, top_k=None, top_p=None, prefix="",
                   max_length=50, cell="rnn", bars=15):
        """An explorer with controls: τ, top-k, top-p, the prefix and the seed draw the sentence again.

        Args:
            parameters, vocabulary: the language model and its Vocabulary.
            seed: an int seed in [0, 2³¹) (or a np.random.Generator, drawn from once).
            temperature: τ at the start, 0.1 … 5 (the log slider's range).
            top_k: None (off) or one of 1, 2, 3, 5, 10, 20, 50 (below n_y) at the start.
            top_p: None (off) or one of 0.1, 0.2, …, 0.9, 0.95 at the start.
            prefix: the str every sentence starts with ("" for none).
            max_length: most tokens to draw, ≥ 1.
            cell: "rnn" or another registered cell.
            bars: bars shown per step, ≥ 1.
        Returns:
            SamplingExplorer; its ``widget`` holds the controls above the step explorer.
        Derived in notebooks/04_language_model_sampling.ipynb, "The sampling explorer"
        """
        if not isinstance(vocabulary, Vocabulary):
            raise ValueError(f"vocabulary must be a Vocabulary, got {type(vocabulary).__name__}")
        low, high, step = TEMPERATURE_EXPONENTS
        temperature = check_in_range("temperature", temperature, 10**low, 10**high)
        top_k, top_p = _check_top_k(top_k), _check_top_p(top_p)
        k_choices = [k for k in TOP_K_CHOICES if k < len(vocabulary)]
        if top_k is not None and top_k not in k_choices:
            raise ValueError(f"top_k must be None (off) or one of {k_choices}, below n_y = {len(vocabulary)}, "
                             f"got {top_k!r}")
        seed = check_in_range("seed", seed_of("seed", seed), 0, MAX_SEED, integer=True)
        if not isinstance(prefix, str):
            raise ValueError(f"prefix must be a str, got {type(prefix).__name__}")
        max_length, bars = check_positive_int("max_length", max_length), check_positive_int("bars", bars)
        steps = sampling_steps(parameters, vocabulary, seed, temperature, top_k, top_p, prefix, max_length, cell)
        self = cls.__new__(cls)  # the explorer of a sentence drawn with settings, then the controls
        self._start(vocabulary, bars, steps, _caption(seed, temperature, top_k, top_p, prefix),
                    (parameters, cell, max_length))

        wide = widgets.Layout(width="300px")
        self.temperature_slider = widgets.FloatLogSlider(
            value=temperature, base=10, min=low, max=high, step=step, description="τ", readout_format=".2f",
            layout=wide)
        self.top_k_slider = widgets.SelectionSlider(
            options=[(str(k), k) for k in k_choices] + [("off", OFF_K)], value=OFF_K if top_k is None else top_k,
            description="top-k", layout=wide)
        self.top_p_slider = widgets.SelectionSlider(
            options=[(f"{p:g}", p) for p in TOP_P_CHOICES] + [("off", OFF_P)], value=OFF_P if top_p is None else top_p,
            description="top-p", layout=wide)
        self.prefix_box = widgets.Text(value=prefix, description="prefix", placeholder="e.g. The cats",
                                       continuous_update=False, layout=widgets.Layout(width="300px"))
        self.seed_box = widgets.BoundedIntText(value=seed, min=0, max=MAX_SEED, description="seed",
                                               layout=widgets.Layout(width="180px"))
        self.temperature_slider.add_class("course-temperature")
        self.top_k_slider.add_class("course-top-k")
        self.top_p_slider.add_class("course-top-p")
        for control in (self.temperature_slider, self.top_k_slider, self.top_p_slider, self.prefix_box, self.seed_box):
            control.observe(self._on_change, names="value")
        self.widget = widgets.VBox([
            widgets.HBox([self.temperature_slider, self.top_k_slider, self.top_p_slider]),
            widgets.HBox([self.prefix_box, self.seed_box]),
            self.explorer.widget,
        ])
        self.widget.add_class("course-sampling-explorer")
        return self

    @property
    def result(self):
        """The ``lm.SampleResult`` shown now."""
        return self.steps.result

    def settings(self):
        """The controls' values: dict seed, temperature, top_k, top_p (None when off), prefix."""
        if self._model is None:
            raise ValueError("settings: this explorer shows a fixed sample; build it with SamplingExplorer.from_model")
        return dict(seed=self.seed_box.value, temperature=float(self.temperature_slider.value),
                    top_k=None if self.top_k_slider.value == OFF_K else self.top_k_slider.value,
                    top_p=None if self.top_p_slider.value == OFF_P else self.top_p_slider.value,
                    prefix=self.prefix_box.value)

    def redraw(self):
        """Draw the sentence again with the controls' settings and show it in the same figure."""
        settings = self.settings()  # every value the controls can hold is one sampling_steps accepts
        parameters, cell, max_length = self._model
        self._show(sampling_steps(parameters, self.vocabulary, max_length=max_length, cell=cell, **settings), settings)

    def _on_change(self, change):
        self.redraw()

    def _show(self, steps, settings):
        """The new sentence into the one figure: the step slider keeps its step if the sentence reaches it."""
        self.steps, self.caption = steps, _caption(**settings)
        self.explorer.replace_steps(self._frame, len(steps.result.tokens))

    def _figure(self):
        result = self.steps.result
        return sampling_step_figure(result.distributions, result.tokens, list(self.vocabulary.tokens), self.bars,
                                    before_cut=self.steps.before_cut, caption=self.caption)

    def _frame(self, t):
        result = self.steps.result
        return sampling_step_frame(result.distributions, result.tokens, list(self.vocabulary.tokens), t, self.bars,
                                   before_cut=self.steps.before_cut, caption=self.caption)

    def _label(self, t):
        return "so far: " + self.vocabulary.decode(self.steps.prefix_indices + self.steps.result.indices[: t + 1].tolist())

    def _ipython_display_(self):
        show(self)  # the widget; its snapshot on the static pages (_display.py)
