"""Finding the bundled ``recotap-mock`` binary."""

from __future__ import annotations

import os
import shutil
import sys
import sysconfig
from pathlib import Path

_NAME = "recotap-mock" + (".exe" if sys.platform == "win32" else "")


def find_binary() -> str:
    """The path of the ``recotap-mock`` binary.

    Looked up, in order: the ``RECOTAP_MOCK_BIN`` environment variable; the scripts directory
    of this Python environment (where the wheel installs it); the user scheme's scripts
    directory; ``PATH``. Raises ``FileNotFoundError`` naming every place searched.
    """
    explicit = os.environ.get("RECOTAP_MOCK_BIN")
    if explicit:
        return explicit
    candidates = [Path(sysconfig.get_path("scripts")) / _NAME]
    user_scheme = f"{os.name}_user"
    if user_scheme in sysconfig.get_scheme_names():
        candidates.append(Path(sysconfig.get_path("scripts", scheme=user_scheme)) / _NAME)
    candidates.append(Path(sys.executable).parent / _NAME)
    for candidate in candidates:
        if candidate.is_file():
            return str(candidate)
    on_path = shutil.which(_NAME)
    if on_path:
        return on_path
    searched = ", ".join(str(c) for c in candidates)
    raise FileNotFoundError(
        f"the recotap-mock binary was not found (searched {searched} and PATH); "
        "install the package with `pip install ./python`, or set RECOTAP_MOCK_BIN"
    )
