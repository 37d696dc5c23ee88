"""The schema object served at /graphql and exported to schema.graphql."""

from __future__ import annotations

import strawberry

from schema.errors import CodedErrors
from schema.mutation import Mutation
from schema.query import Query
from schema.types import Activity, Registration, Resident

schema = strawberry.Schema(
    query=Query,
    mutation=Mutation,
    types=[Resident, Registration, Activity],
    extensions=[CodedErrors],
)
