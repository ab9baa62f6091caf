"""Catalogue files uploaded by an administrator: the preview of their import, and the store that
keeps them between the preview and the confirmation (:mod:`lms.core.uploads`, settings
``CATALOG_UPLOAD_*``); the confirmation re-reads and re-plans those very bytes.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from lms.catalog import queries
from lms.catalog.problems import plan_problems, renamed, shown
from lms.catalog.services import ImportPlan, plan_import
from lms.core.uploads import UploadStore
from lms.progress.audit.catalogue import Catalog, CatalogError, read_catalog
from lms.progress.audit.yamlsource import Problem


@dataclass
class Preview:
    """What importing an uploaded file would do: a plan, or the problems that prevent one
    (``str()`` of each: the English line; :attr:`messages`: in the reader's language)."""

    filename: str
    plan: ImportPlan | None = None
    problems: list[Problem | str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.plan is not None and not self.problems

    @property
    def messages(self) -> list[str]:
        return [shown(problem) for problem in self.problems]


def preview(data: bytes, filename: str) -> Preview:
    """Read ``data`` as the catalogue file ``filename`` (from a temporary file) and plan its import.

    Problems name ``filename``, not the temporary path. Reads only.
    """
    result = Preview(filename)
    with tempfile.TemporaryDirectory(prefix="lms-catalog-") as folder:
        path = Path(folder) / "upload.yaml"
        path.write_bytes(data)
        prefix = str(path)

        def rename(text: str) -> str:
            return filename + text[len(prefix) :] if text.startswith(prefix) else text

        try:
            catalog = read_catalog(
                [path], known_units=queries.database_unit_codes(), known_slots=queries.database_slot_codes()
            )
        except CatalogError as error:
            result.problems = [renamed(p, rename) for p in error.details]
            return result
    _rename_origins(catalog, rename)
    result.plan = plan_import(catalog)
    result.problems = plan_problems(result.plan)
    return result


def _rename_origins(catalog: Catalog, rename) -> None:
    catalog.unit_origins = {k: rename(v) for k, v in catalog.unit_origins.items()}
    catalog.program_origins = {k: rename(v) for k, v in catalog.program_origins.items()}


# --- kept between preview and confirmation ----------------------------------------------------------

files = UploadStore("catalog", "CATALOG_UPLOAD", media_type="application/yaml", default_filename="catalogue.yaml")
