"""What the benchmarks that serve the platform share: its processes, and tokens it accepts."""

from __future__ import annotations

from pathlib import Path

from edge.settings import Settings
from edge.tokens import LocalIssuer, load_or_create_key


def family(root_pid: int) -> list[int]:
    """A server's process and its descendants (workers, and the processes they start)."""
    pids = [root_pid]
    for task in Path(f"/proc/{root_pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            pids += family(int(child))
    return pids


def local_issuer(var: Path) -> LocalIssuer:
    """The issuer of the tokens a server started on the folder `var` accepts (its key is made
    there on first use)."""
    settings = Settings(var_dir=var)
    return LocalIssuer(
        load_or_create_key(settings.local_issuer_key),
        settings.token_issuer,
        settings.token_audience,
    )
