"""Les sortes de traitement de test sont inscrites dans ce processus aussi (le travailleur les
charge par QUARTIERS_JOB_EXTRA_MODULES)."""

import tests.apps.jobs.kinds  # noqa: F401
