"""The pages (web/) are built on the clients' persisted operations and on nothing elsewhere."""

from __future__ import annotations

import re
from pathlib import Path

from edge.persisted_documents import document_id, operation_names
from edge.web_routes import WEB, operations, prefectures

CALLED = re.compile(r"""\b(?:call|subscribe)\(\s*session,\s*"(\w+)\"""")


def test_the_pages_send_only_the_clients_operations() -> None:
    called = {
        name for script in WEB.glob("*.js") for name in CALLED.findall(script.read_text("utf-8"))
    }
    assert "MyProfile" in called
    assert "MunicipalEvents" in called
    assert called <= operation_names()


def test_operations_are_served_by_name_with_their_document_id() -> None:
    served = operations()
    assert set(served) == operation_names()
    for document in served.values():
        assert document["documentId"] == document_id(document["text"])


def test_the_pages_load_nothing_from_elsewhere() -> None:
    pages = [WEB / "app.html", WEB / "dashboard.html"]
    addresses = [
        address
        for page in pages
        for address in re.findall(r"""(?:src|href)="([^"]*)\"""", Path(page).read_text("utf-8"))
    ]
    assert addresses
    assert all(address.startswith("/web/") for address in addresses)
    fetched = [
        target
        for script in WEB.glob("*.js")
        for target in re.findall(r"\bfetch\(([^,)]*)", script.read_text("utf-8"))
    ]
    assert fetched
    assert all(target.startswith('"/') for target in fetched), fetched


def test_prefectures_are_named_from_the_master_data() -> None:
    named = prefectures()
    assert len(named) == 47
    assert named["130001"] == "東京都"
