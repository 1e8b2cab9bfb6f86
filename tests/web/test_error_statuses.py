"""Every domain error class answers with a status chosen for it, never a silent default."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import imgwired
from imgwired.errors import ImgwiredError
from imgwired.web.errors import status_of


def _every_error_class() -> list[type[ImgwiredError]]:
    # Error classes live beside the code that raises them; import every module to meet them all.
    for module in pkgutil.walk_packages(imgwired.__path__, "imgwired."):
        if ".migrations." not in module.name and not module.name.endswith("__main__"):
            importlib.import_module(module.name)
    found: list[type[ImgwiredError]] = []
    pending = [ImgwiredError]
    while pending:
        for sub in pending.pop().__subclasses__():
            found.append(sub)
            pending.append(sub)
    return found


@pytest.mark.parametrize("error_class", _every_error_class(), ids=lambda cls: cls.__name__)
def test_every_domain_error_has_a_deliberate_status(error_class: type[ImgwiredError]) -> None:
    status = status_of(error_class)
    assert status is not None, f"{error_class.__name__} has no status in web/errors.py"
    assert 400 <= status < 600


def test_a_subclass_takes_its_nearest_ancestors_status() -> None:
    from imgwired import errors

    assert status_of(errors.UploadTooLargeError) == 413
    assert status_of(errors.RenderBudgetExceededError) == 400
    assert status_of(errors.InvalidHostnameError) == 422
