"""The public catalogue: programmes, their versions (requirement trees as in formats.md section 1)
and units. Anyone may read it, as the public programme pages."""

from __future__ import annotations

from flask import abort
from flask_openapi3 import Tag

from lms.api.schemas.catalogue import (
    ProgrammeList,
    ProgrammePath,
    ProgrammeSummary,
    ProgrammeVersionOut,
    UnitList,
    UnitOut,
    UnitPath,
    UnitQuery,
    VersionPath,
)
from lms.api.schemas.common import PageInfo, PageQuery, Problem
from lms.api.views import bp
from lms.catalog import queries
from lms.catalog.export import program_document
from lms.core.access import public
from lms.progress.queries import catalogue_from_database

TAG = Tag(name="catalogue", description="Programmes, versions and units (public); catalogue imports.")

PUBLIC = []  # no credentials needed


def _unit(unit) -> dict:
    return UnitOut(
        code=unit.code,
        title=unit.title,
        ects=float(unit.ects),
        kind=unit.kind.value,
        level=unit.level.value if unit.level else None,
    ).model_dump()


@bp.get(
    "/programmes",
    tags=[TAG],
    responses={200: ProgrammeList},
    security=PUBLIC,
    summary="Programmes, by code",
)
@public
def programmes(query: PageQuery):
    page = queries.programme_page(query.page, query.limit)
    return ProgrammeList(
        items=[
            ProgrammeSummary(
                code=code, title=newest.title, kind=newest.kind.value, level=newest.level, versions=versions
            )
            for code, newest, versions in page.rows
        ],
        page=PageInfo(page=page.page, limit=page.per_page, has_next=page.has_next),
    ).model_dump()


@bp.get(
    "/programmes/<code>",
    tags=[TAG],
    responses={200: ProgrammeVersionOut, 404: Problem},
    security=PUBLIC,
    summary="A programme's newest version",
)
@public
def programme(path: ProgrammePath):
    newest = queries.public_programme(path.code)
    if newest is None:
        abort(404)
    return _version(path.code, newest.version)


@bp.get(
    "/programmes/<code>/versions/<version>",
    tags=[TAG],
    responses={200: ProgrammeVersionOut, 404: Problem},
    security=PUBLIC,
    summary="One programme version",
)
@public
def programme_version(path: VersionPath):
    return _version(path.code, path.version)


def _version(code: str, version: str) -> dict:
    definition = catalogue_from_database().programs.get((code, version))
    if definition is None:
        abort(404)
    return ProgrammeVersionOut(**program_document(definition)).model_dump(exclude_none=True)


@bp.get("/units", tags=[TAG], responses={200: UnitList}, security=PUBLIC, summary="Units, by code")
@public
def units(query: UnitQuery):
    page = queries.search_units(query.q or "", query.page, query.limit)
    return UnitList(
        items=[_unit(unit) for unit in page.rows],
        page=PageInfo(page=page.page, limit=page.per_page, has_next=page.has_next),
    ).model_dump()


@bp.get(
    "/units/<code>",
    tags=[TAG],
    responses={200: UnitOut, 404: Problem},
    security=PUBLIC,
    summary="One unit",
)
@public
def unit(path: UnitPath):
    found = queries.unit_by_code(path.code)
    if found is None:
        abort(404)
    return _unit(found)
