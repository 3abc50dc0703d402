"""Small helpers for the notebooks themselves (need IPython, as any notebook has)."""

import inspect


def show_source(obj):
    """Display the source of a course_lib function or class, syntax-highlighted.

    Notebooks show library code through this rather than pasting a copy into a cell, so
    what the learner reads is exactly what runs.
    """
    from IPython.display import Markdown, display

    if not (inspect.isfunction(obj) or inspect.isclass(obj) or inspect.ismethod(obj)):
        raise ValueError(f"obj must be a function or class of course_lib (e.g. rnn_forward), got {obj!r}")
    source = inspect.getsource(obj)
    where = f"{inspect.getmodule(obj).__name__}.{obj.__qualname__}"
    display(Markdown(f"`{where}`\n```python\n{source}```"))
