"""A failed or cancelled export leaves the file that was there before untouched, and no
temporary file behind."""

from __future__ import annotations

import os
import stat

import pytest

from app.errors import UsageError
from app.exporting import export_weekly_workbook
from app.jobs import Cancelled, JobControl

OLD = b"last week's workbook, which must survive"


def _old_file(tmp_path):
    folder = tmp_path / "exports"
    folder.mkdir()
    target = folder / "pipeline.xlsx"
    target.write_bytes(OLD)
    return target


def _folder_after(path):
    return sorted(p.name for p in path.parent.iterdir())


def test_cancelling_half_way_through_the_deals_keeps_the_old_file(demo, tmp_path):
    target = _old_file(tmp_path)
    seen = []

    def progress(fraction: float, message: str) -> None:
        seen.append(message)
        if message.startswith("Saving"):
            control.cancel()  # while the workbook is being written out

    control = JobControl(progress)
    with pytest.raises(Cancelled):
        export_weekly_workbook(target, control=control)
    assert target.read_bytes() == OLD
    assert _folder_after(target) == ["pipeline.xlsx"]
    assert any(m.startswith("Writing the deals") for m in seen)


def test_a_disk_failure_mid_write_keeps_the_old_file(demo, tmp_path, monkeypatch):
    import app.exporting.service as service

    target = _old_file(tmp_path)

    def disk_full(source, temporary, cached, rows):
        temporary.write_bytes(b"PK half a zip")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(service, "finish_package", disk_full)
    with pytest.raises(UsageError, match=r"No space left on device.*Nothing was changed"):
        export_weekly_workbook(target)
    assert target.read_bytes() == OLD
    assert _folder_after(target) == ["pipeline.xlsx"]


def test_a_successful_export_replaces_the_old_file_with_a_normal_file(demo, tmp_path):
    target = _old_file(tmp_path)
    export_weekly_workbook(target)
    assert target.read_bytes()[:2] == b"PK"
    assert _folder_after(target) == ["pipeline.xlsx"]
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask  # not private to us
