"""Sphinx configuration of autarky's documentation (``make docs``; warnings are errors)."""

from __future__ import annotations

import autarky

project = "autarky"
author = "autarky developers"
release = version = autarky.__version__
extensions = ["myst_nb", "sphinx.ext.autodoc", "sphinx.ext.autosummary", "sphinx.ext.napoleon",
              "sphinx.ext.mathjax"]
exclude_patterns = ["_build", "jupyter_execute", ".jupyter_cache"]
templates_path = ["_templates"]
# the API reference: a page per public module, generated from the docstrings at each build
autosummary_generate = True
autosummary_imported_members = False
source_suffix = {".rst": "restructuredtext", ".md": "myst-nb"}  # .rst first: autosummary writes rst
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
autodoc_default_options = {"members": True, "show-inheritance": False, "ignore-module-all": True}
napoleon_use_ivar = True  # "Attributes" as fields: dataclass fields are not described twice
html_theme = "alabaster"
html_title = f"autarky {release}"
html_static_path: list[str] = []
suppress_warnings = ["myst.header"]

