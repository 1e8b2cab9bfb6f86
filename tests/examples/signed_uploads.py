"""The example app of ``examples/signed-uploads``, imported from its file (it is no package)."""

from __future__ import annotations

import importlib.util
import sys
from functools import cache
from pathlib import Path
from types import ModuleType

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "signed-uploads" / "app.py"
MODULE_NAME = "signed_uploads_example"


@cache
def load() -> ModuleType:
    """The example's ``app.py`` as a module, loaded once."""
    spec = importlib.util.spec_from_file_location(MODULE_NAME, EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[MODULE_NAME] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module
