"""Sorte de traitement « observatory_report » : le PDF du rapport annuel d'un territoire (chargé au
démarrage par `jobs`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from quartiers.core.jobs import JobFailure
from quartiers.jobs.registry import JobContext, register_kind

REPORT_KIND = "observatory_report"
RESULT_NAME = "rapport.pdf"


def run_report(context: JobContext) -> Mapping[str, Any]:
    from quartiers.observatory import documents
    from quartiers.observatory import report as reports
    from quartiers.observatory.services import ObservatoryError

    territory = str(context.parameters.get("territory", "fr"))
    year = int(context.parameters.get("year", 0))
    context.progress(0.05, "Calcul des écarts, des rangs et des évolutions")
    try:
        built = reports.build_report(territory, year)
        context.progress(0.5, "Mise en page du PDF")
        pdf = documents.report_pdf(built)
    except ObservatoryError as exc:
        raise JobFailure(str(exc), {"territory": territory, "year": year}) from exc
    if context.result_path is None:
        raise JobFailure("aucun emplacement de résultat pour ce traitement")
    context.result_path.parent.mkdir(parents=True, exist_ok=True)
    context.result_path.write_bytes(pdf)
    context.progress(1.0, "PDF prêt")
    return {
        "territory": built.territory.key,
        "year": built.year,
        "qpv": built.qpv_count,
        "bytes": len(pdf),
        "message": f"{built.title} : {built.qpv_count} QPV, PDF de {len(pdf) // 1024} Ko.",
    }


register_kind(REPORT_KIND, run_report, "Rapport annuel de l'observatoire", result_name=RESULT_NAME)
