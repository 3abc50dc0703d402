"""How a course widget shows itself: live in a kernel, as a snapshot on a static page.

In JupyterLab, Voilà or JupyterLite, ``display(explorer)`` shows the widget. The course's
static pages (``make site``, web/site.py) are executed with ``COURSE_STATIC_PAGES=1``: a page
has no kernel behind it, so a widget there would be an empty box. There, every explorer
shows its ``snapshot()`` instead (plotly frames and plotly's own slider, which step in the
page), and the self-check shows its questions, with a line saying where they come alive.
"""

import html
import os

STATIC_PAGES = "COURSE_STATIC_PAGES"

_NOTE = ("<p class=\"course-static-note\"><i>{what} Run the notebook (JupyterLab, or “Run this notebook "
         "in your browser” at the top of the page) for the live widget.</i></p>")


def static_pages():
    """True while the notebook is executed for the static pages (``COURSE_STATIC_PAGES=1``)."""
    return os.environ.get(STATIC_PAGES) == "1"


def show(owner):
    """``display`` ``owner.widget``; on a static page, ``owner``'s snapshot (or its
    explorer's) and a note instead. For a course widget's ``_ipython_display_``."""
    from IPython.display import HTML, display

    if not static_pages():
        display(owner.widget)
        return
    snapshot = getattr(owner, "snapshot", None) or getattr(getattr(owner, "explorer", None), "snapshot", None)
    if snapshot is None:
        display(HTML(_NOTE.format(what="An interactive widget is here.")))
        return
    display(HTML(_NOTE.format(what="A snapshot of the explorer: its own controls step through it here, with no kernel.")))
    display(snapshot())


def show_quiz(self_check):
    """``display`` a SelfCheck; on a static page its questions and choices as text, no answers."""
    from IPython.display import HTML, display

    if not static_pages():
        display(self_check.widget)
        return
    from course_lib.quiz import MultipleChoice

    items = []
    for question in self_check.quiz.questions:
        if isinstance(question, MultipleChoice):
            choices = "".join(f"<li>{choice.text}</li>" for choice in question.choices)
            items.append(f"<li>{question.prompt}<ol type=\"a\">{choices}</ol></li>")
        else:
            items.append(f"<li>{question.prompt} <i>(a number)</i></li>")
    display(HTML(f"<div class=\"course-quiz-static\"><h3>{html.escape(self_check.quiz.title)}</h3>"
                 f"<ol>{''.join(items)}</ol></div>"
                 + _NOTE.format(what="The answers are checked in the notebook.")))
