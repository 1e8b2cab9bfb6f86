"""The app's services as a FastAPI dependency: the one import both the API's dependencies
(``deps.py``) and the dashboard need, so neither imports the other's package to get it."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from imgwired.container import Services


def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]
