"""The browser checks of ``notebook_checks.py`` for the odd-numbered notebooks
(the other half is ``test_notebooks_in_browser_a.py``, so that each xdist worker
drives one half against a JupyterLab of its own)."""

import pytest
from notebook_checks import NOTEBOOKS, check_every_listed_notebook_exists, check_notebook, lab  # noqa: F401

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("notebook", NOTEBOOKS[1::2])
def test_notebook_runs_and_explorer_responds(notebook, lab, lab_server):  # noqa: F811
    check_notebook(notebook, lab, lab_server)
