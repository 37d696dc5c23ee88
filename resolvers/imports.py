"""Imports through GraphQL: a municipality's integration uploads a list file; its staff and
the integration read what became of it."""

from __future__ import annotations

import uuid

from starlette.datastructures import UploadFile

from domain.errors import Refusal
from domain.imports import ImportJob, ImportKind
from municipal_lists.reading import UnreadableFile, read_list
from persistence import tables, views
from resolvers import inputs
from resolvers.context import Context
from resolvers.loaders import ImportJobPage, RejectionPage
from services.imports import import_list


async def import_uploaded_list(
    context: Context, code: str, kind: ImportKind, upload: UploadFile
) -> ImportJob:
    place = inputs.code(code)
    caller = context.signed_in().subject
    try:
        source, _ = read_list(upload.filename or "upload", await upload.read())
        # A file can also stop being CSV part of the way (its job then says FAILED).
        job, _ = await import_list(
            context.unit_of_work(), context.clock, caller, kind, place, source
        )
    except UnreadableFile as error:
        raise Refusal("UNREADABLE_FILE", str(error), "file") from error
    return job


async def import_jobs_of_place(
    context: Context, code: str, first: int | None, after: str | None
) -> views.Page[tables.ImportJob]:
    page = ImportJobPage(code, inputs.page_size(first), inputs.time_cursor(after))
    return await context.loaders.import_job_page_by_place.load(page)


async def rejections_of_job(
    context: Context, job_id: uuid.UUID, first: int | None, after: str | None
) -> views.Page[tables.ImportRejection]:
    page = RejectionPage(job_id, inputs.page_size(first), inputs.id_cursor(after))
    return await context.loaders.import_rejection_page_by_job.load(page)
