"""Politique de sécurité du contenu : le middleware de django-csp, nonce toujours calculé.

django-csp 4 ne calcule le nonce que lorsqu'un gabarit le lit, et son objet paresseux vaut
« faux » tant qu'il n'est pas lu : le `{% if self.nonce %}` de la balise `dsfr_js` (django-dsfr)
l'omettrait donc toujours. On le calcule dès la requête pour que les scripts du DSFR le portent.
"""

from __future__ import annotations

from csp.middleware import CSPMiddleware
from django.http import HttpRequest


class NonceCSPMiddleware(CSPMiddleware):
    def process_request(self, request: HttpRequest) -> None:
        super().process_request(request)
        str(request.csp_nonce)  # type: ignore[attr-defined]
