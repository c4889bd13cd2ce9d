"""Writing a workbook so that a failure never leaves a half-written file behind.

Every workbook Funnelcast writes (the weekly pipeline workbook, a rep's update workbook) is
saved under temporary names in the target's folder and renamed over the target only when
complete: a failed or cancelled export leaves whatever was there before untouched.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

from app.errors import UsageError
from app.jobs import JobControl


def _new_file_beside(target: Path, suffix: str) -> Path:
    """A new, empty, hidden file in ``target``'s folder, with the permissions a file the
    user saves gets (``mkstemp`` would make it private, and the rename keeps that)."""
    while True:
        path = target.with_name(f".{target.stem}-{secrets.token_hex(4)}{suffix}")
        try:
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        except FileExistsError:
            continue
        return path


class Scratch:
    """The temporary files of one atomic write: :meth:`new` makes one beside the target;
    ``result`` names the one renamed over the target (default: the last made)."""

    def __init__(self, target: Path):
        self.target = target
        self.files: list[Path] = []
        self.result: Path | None = None

    def new(self, suffix: str = ".part") -> Path:
        path = _new_file_beside(self.target, suffix)
        self.files.append(path)
        self.result = path
        return path


def check_folder(target: Path) -> None:
    """Refuse (UsageError) a target whose folder does not exist, before any work is done."""
    if not target.parent.is_dir():
        raise UsageError(f"The folder {target.parent} does not exist; choose another place "
                         "for the workbook.")


@contextlib.contextmanager
def replacing(target: Path, control: JobControl | None = None) -> Iterator[Scratch]:
    """Write into :class:`Scratch` files inside the block; when it ends without an error
    (and without a cancel), the scratch ``result`` is renamed over ``target``. An OSError
    becomes a UsageError saying nothing was changed; the scratch files never outlive the
    block."""
    scratch = Scratch(target)
    try:
        yield scratch
        if control is not None:
            control.raise_if_cancelled()
        if scratch.result is None:
            raise RuntimeError("nothing was written")
        os.replace(scratch.result, target)
    except OSError as error:
        raise UsageError(f"The workbook could not be written to {target}: "
                         f"{error.strerror or error}. Nothing was changed there; check that "
                         "the folder is writable and the file is not open in another "
                         "program, then try again.") from error
    finally:
        for leftover in scratch.files:
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()
