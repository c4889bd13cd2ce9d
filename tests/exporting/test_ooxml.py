"""The package Excel opens without a repair prompt: every part has a content type, every
relationship points at a part that exists, tables cover exactly their data and have unique
names, and the defined names point at real ranges."""

from __future__ import annotations

import posixpath
import re
import zipfile
from xml.etree import ElementTree

from openpyxl.utils import range_boundaries

CT = "{http://schemas.openxmlformats.org/package/2006/content-types}"
RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def _rels_base(rels_name: str) -> str:
    folder, name = posixpath.split(rels_name)
    return posixpath.dirname(folder) if name != ".rels" else ""


def test_parts_relationships_tables_and_names_are_consistent(exported):
    with zipfile.ZipFile(exported.path) as archive:
        assert archive.testzip() is None
        parts = set(archive.namelist())
        types = ElementTree.fromstring(archive.read("[Content_Types].xml"))
        defaults = {d.get("Extension") for d in types.iter(f"{CT}Default")}
        overrides = {o.get("PartName").lstrip("/") for o in types.iter(f"{CT}Override")}
        assert overrides <= parts
        for part in parts - {"[Content_Types].xml"}:
            assert part in overrides or part.rsplit(".", 1)[-1] in defaults, part

        for rels in (p for p in parts if p.endswith(".rels")):
            base = _rels_base(rels)
            ids = []
            for rel in ElementTree.fromstring(archive.read(rels)).iter(f"{RELS}Relationship"):
                ids.append(rel.get("Id"))
                if rel.get("TargetMode") == "External":
                    continue
                target = rel.get("Target")
                resolved = (target.lstrip("/") if target.startswith("/")
                            else posixpath.normpath(posixpath.join(base, target)))
                assert resolved in parts, (rels, target)
            assert len(ids) == len(set(ids)), rels

        names = []
        for table_part in (p for p in parts if p.startswith("xl/tables/")):
            table = ElementTree.fromstring(archive.read(table_part))
            names.append(table.get("displayName"))
            assert table.get("name") == table.get("displayName")
            columns = [c.get("name") for c in table.iter(f"{MAIN}tableColumn")]
            min_col, _, max_col, _ = range_boundaries(table.get("ref"))
            assert len(columns) == max_col - min_col + 1 == len(set(columns))
            assert table.find(f"{MAIN}autoFilter").get("ref") == table.get("ref")
        assert len(names) == len(set(names)) == 5
        assert all(re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*", n) for n in names)

        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        sheets = {s.get("name") for s in workbook.iter(f"{MAIN}sheet")}
        defined = list(workbook.iter(f"{MAIN}definedName"))
        assert defined
        for name in defined:
            assert name.get("name") not in names  # a table and a name never clash
            sheet, _, ref = name.text.rpartition("!")
            assert sheet.strip("'") in sheets
            range_boundaries(ref.replace("$", ""))  # a valid range
