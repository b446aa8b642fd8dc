"""Sphinx configuration of autarky's documentation (``make docs``; warnings are errors)."""

from __future__ import annotations

import autarky

project = "autarky"
author = "autarky developers"
release = version = autarky.__version__
extensions = ["myst_nb", "sphinx.ext.autodoc", "sphinx.ext.napoleon", "sphinx.ext.mathjax"]
exclude_patterns = ["_build", "jupyter_execute", ".jupyter_cache"]
source_suffix = {".md": "myst-nb", ".rst": "restructuredtext"}
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 3
# the tutorials are executed at every build: a tutorial that fails fails the build
nb_execution_mode = "force"
nb_execution_raise_on_error = True
nb_execution_timeout = 600
nb_merge_streams = True
napoleon_numpy_docstring = True
napoleon_google_docstring = False
autodoc_typehints = "description"
autodoc_member_order = "bysource"
autodoc_default_options = {"members": True, "show-inheritance": False}
html_theme = "alabaster"
html_title = f"autarky {release}"
html_static_path: list[str] = []
suppress_warnings = ["myst.header"]
