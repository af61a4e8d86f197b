"""The build backend of ``pip install ./python``: maturin's own, behind one check.

Asked to build without ``cargo`` on ``PATH``, maturin's backend quietly downloads and installs a
whole Rust toolchain (some 850 MB, through puccinialin, into the user's cache) and compiles
with it. Nothing in ``pyproject.toml`` turns that off (only the ``MATURIN_NO_INSTALL_RUST``
environment variable does, which a user running plain ``pip install ./python`` has not set).
So every hook here first checks for ``cargo`` and, without it, fails at once saying what to do,
before pip fetches anything more for the build; with ``cargo`` each hook is maturin's,
unchanged. ``maturin build`` and ``maturin develop`` do not go through this file.
"""

from __future__ import annotations

import shutil
from typing import Any, Dict, List, Optional

import maturin

_NO_CARGO = """\
recotap-mock: building from source needs cargo (the Rust toolchain), and there is no cargo on PATH.
No Rust toolchain was downloaded: this build never installs one of its own.
Either install Rust (https://rustup.rs, or your system's package manager) and run the
install again, or install a wheel, which needs no Rust: on a machine with cargo,
`pip install maturin`, then `maturin build --release -o dist` in python/ writes it to
python/dist/; then `pip install recotap_mock-*.whl` wherever it is needed."""

ConfigSettings = Optional[Dict[str, Any]]


def _require_cargo() -> None:
    """Returns when ``cargo`` is on ``PATH``; raises ``SystemExit`` (status 1, the message on
    stderr) otherwise."""
    if shutil.which("cargo") is None:
        raise SystemExit(_NO_CARGO)


def get_requires_for_build_wheel(config_settings: ConfigSettings = None) -> List[str]:
    """maturin's, once ``cargo`` is known to be there (``SystemExit`` otherwise)."""
    _require_cargo()
    return maturin.get_requires_for_build_wheel(config_settings)


def get_requires_for_build_editable(config_settings: ConfigSettings = None) -> List[str]:
    """maturin's, once ``cargo`` is known to be there (``SystemExit`` otherwise)."""
    _require_cargo()
    return maturin.get_requires_for_build_editable(config_settings)


def get_requires_for_build_sdist(config_settings: ConfigSettings = None) -> List[str]:
    """maturin's, once ``cargo`` is known to be there (``SystemExit`` otherwise)."""
    _require_cargo()
    return maturin.get_requires_for_build_sdist(config_settings)


def prepare_metadata_for_build_wheel(metadata_directory: str, config_settings: ConfigSettings = None) -> str:
    """maturin's, once ``cargo`` is known to be there (``SystemExit`` otherwise)."""
    _require_cargo()
    return maturin.prepare_metadata_for_build_wheel(metadata_directory, config_settings)


def prepare_metadata_for_build_editable(metadata_directory: str, config_settings: ConfigSettings = None) -> str:
    """maturin's, once ``cargo`` is known to be there (``SystemExit`` otherwise)."""
    _require_cargo()
    return maturin.prepare_metadata_for_build_editable(metadata_directory, config_settings)


def build_wheel(wheel_directory: str, config_settings: ConfigSettings = None, metadata_directory: Optional[str] = None) -> str:
    """maturin's, once ``cargo`` is known to be there (``SystemExit`` otherwise)."""
    _require_cargo()
    return maturin.build_wheel(wheel_directory, config_settings, metadata_directory)


def build_editable(wheel_directory: str, config_settings: ConfigSettings = None, metadata_directory: Optional[str] = None) -> str:
    """maturin's, once ``cargo`` is known to be there (``SystemExit`` otherwise)."""
    _require_cargo()
    return maturin.build_editable(wheel_directory, config_settings, metadata_directory)


def build_sdist(sdist_directory: str, config_settings: ConfigSettings = None) -> str:
    """maturin's, once ``cargo`` is known to be there (``SystemExit`` otherwise)."""
    _require_cargo()
    return maturin.build_sdist(sdist_directory, config_settings)
