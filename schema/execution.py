"""How the schema's operations execute: graphql-core's executor, with one fix for subscriptions."""

from __future__ import annotations

from typing import Any

from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext


class PerEventMemoExecutor(StrawberryGraphQLCoreExecutionContext):
    """A subscription executes its selection once per event, each time with an executor copied
    from the subscription's. In graphql-core 3.3.2 the copies share the memo of collected
    subfields, which is keyed by the identity of field lists made anew for every event and keeps
    them alive: a dashboard's subscription held two more lists and their fields for each event
    it was sent, as long as it stayed open (the soak's memory climbed with subscribers and
    never levelled off). Each event's executor gets a memo of its own, which still spares the
    work within the event, where the memo helps (lists of values)."""

    def build_per_event_executor(self, payload: Any) -> PerEventMemoExecutor:
        executor = super().build_per_event_executor(payload)
        executor._relevant_sub_fields = {}
        return executor  # type: ignore[return-value]
