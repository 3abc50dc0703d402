"""Sphinx's configuration for the course's static pages (web/site.py writes the sources).

The notebooks arrive executed (web/site.py runs them with COURSE_STATIC_PAGES=1, so every
explorer is a plotly snapshot, already turned into HTML that calls plotly.js): myst-nb only
renders them. Nothing on a page comes from outside the site: MathJax and plotly.js are
files in _static/, the book theme bundles its fonts and icons.
"""

project = "Recurrent neural networks, step by step"
author = ""  # no "By …" and no copyright line in the footer: the course states no licence yet
html_show_copyright = False

extensions = ["myst_nb"]
nb_execution_mode = "off"  # executed by web/site.py, which also checks that nothing errored
nb_ipywidgets_js = {}  # no widget state on the pages, so no widget manager from a CDN
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 3
suppress_warnings = ["myst.header"]  # a notebook's sections start at ## under its # title

exclude_patterns = ["_build", "jupyter_execute", "**.ipynb_checkpoints"]
master_doc = "index"

html_theme = "sphinx_book_theme"
html_title = project
html_static_path = ["_static"]  # web/site.py puts plotly.min.js and MathJax there, once
html_css_files = ["course.css"]
html_js_files = ["plotly.min.js"]
mathjax_path = "mathjax/tex-chtml.js"  # relative to _static
html_copy_source = False
html_show_sourcelink = False
# Navigation in the left sidebar (every notebook), each page's table of contents under its
# title (web/site.py): a right-hand one would take 270 px from figures up to ~950 px wide.
html_theme_options = {
    "use_download_button": False,  # the sources are not copied: the notebooks are in JupyterLite
    "home_page_in_toc": True,
    "show_navbar_depth": 1,
    "secondary_sidebar_items": [],
}
html_last_updated_fmt = None
# Light unless the reader switches: the figures are drawn on white. (Unset, the theme also logs
# "Got invalid theme mode" on a first visit.)
html_context = {"default_mode": "light"}
