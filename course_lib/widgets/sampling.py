"""The sampling explorer of notebook 04: a sentence generated one drawn token at a time."""

from course_lib.viz.lm import sampling_step_figure, sampling_step_frame
from course_lib.widgets.explorer import TimestepExplorer


class SamplingExplorer:
    """Step through a ``lm.SampleResult``: at each t, ŷ<t> and the token drawn from it.

    Args:
        result: what ``lm.sample`` returned.
        vocabulary: the model's Vocabulary.
        top_k: bars shown per step.
    """

    def __init__(self, result, vocabulary, top_k=15):
        vocab_tokens = list(vocabulary.tokens)
        n_steps = len(result.tokens)

        def frame(t):
            return sampling_step_frame(result.distributions, result.tokens, vocab_tokens, t, top_k)

        def label(t):
            return "so far: " + vocabulary.decode(result.indices[: t + 1])

        figure = sampling_step_figure(result.distributions, result.tokens, vocab_tokens, top_k)
        self.explorer = TimestepExplorer(figure, frame, n_steps, step_label=label)
        self.widget = self.explorer.widget

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)
