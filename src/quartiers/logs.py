"""Journal : un gestionnaire qui écrit sur le `sys.stderr` du moment.

`logging.StreamHandler` garde le flux reçu à sa création ; pytest remplace `sys.stderr` à chaque
test et ferme l'ancien, d'où des « Logging error ». Celui-ci relit `sys.stderr` à chaque message.
"""

from __future__ import annotations

import logging
import sys
from typing import Any, TextIO


class StderrHandler(logging.StreamHandler[TextIO]):
    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, value: Any) -> None:
        pass
