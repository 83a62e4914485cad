"""Storage test data."""
from __future__ import annotations

import os
from pathlib import Path

import pytest


@pytest.fixture
def photo_file(tmp_path: Path) -> Path:
    """About 3 MiB of incompressible bytes, an odd size so the last chunk is partial."""
    path = tmp_path / "upload.bin"
    path.write_bytes(os.urandom(3 * 1024 * 1024 + 1234))
    return path
