"""API REST v1 : un routeur par domaine, documentation OpenAPI sur /api/docs."""

from __future__ import annotations

from typing import Any

from ninja import NinjaAPI

from quartiers.addresses.api import geocode_router
from quartiers.addresses.api import router as locate_router
from quartiers.identification.api import router as identification_router
from quartiers.jobs.api import router as jobs_router
from quartiers.programmes.api import router as programmes_router
from quartiers.web import api_errors
from quartiers.zoning.api import router as qpv_router
from quartiers.zoning.api import zonings_router


class QuartiersAPI(NinjaAPI):
    """L'API, dont le schéma OpenAPI documente aussi les erreurs communes à toutes les routes."""

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        return api_errors.document_common_errors(super().get_openapi_schema(*args, **kwargs))


api = QuartiersAPI(
    title="API Quartiers",
    version="1",
    description=(
        "API ouverte de la politique de la ville : géographie prioritaire (QPV), "
        "dispositifs, financements. Toutes les erreurs sont expliquées en français."
    ),
    urls_namespace="api-v1",
)
# `/qpv/locate` (adresses et points) avant `/qpv/{code}` (fiche) : même préfixe, deux domaines.
api.add_router("/qpv", locate_router)
api.add_router("/qpv", qpv_router)
api.add_router("/geocode", geocode_router)
api.add_router("/zonings", zonings_router)
api.add_router("/identification", identification_router)
api.add_router("", programmes_router)
api.add_router("/jobs", jobs_router)
api.add_router("/observatory", "quartiers.observatory.api.router")
api.add_router("/accounts", "quartiers.accounts.api.router")
api.add_router("/funding", "quartiers.funding.api.router")
api_errors.install(api)
