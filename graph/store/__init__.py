"""Open the configured graph store. ``open_store(settings)`` is the only way in."""

from __future__ import annotations

from urllib.parse import urlparse

from graph.errors import ConfigError
from graph.settings import Settings
from graph.store.base import Counts, GraphStore
from graph.store.server import EmbeddedServer

__all__ = ["Counts", "EmbeddedServer", "GraphStore", "open_store"]


def open_store(settings: Settings, *, schema: bool = True) -> GraphStore:
    """Connect to the store ``settings.store`` names, starting the embedded server if needed.

    The embedded server, when this call had to start it, stops again when the store is closed
    and no other command is using it.
    """
    kind = settings.store_kind
    if kind == "embedded":
        from graph.store.falkordb_store import FalkorDBStore

        server = EmbeddedServer(settings.data_dir, settings.server_start_timeout)
        lease = server.acquire()
        try:
            store: GraphStore = FalkorDBStore(
                unix_socket=str(server.socket), graph=settings.graph_name,
                batch_size=settings.batch_size, on_close=lambda: server.release(lease),
                compact=True,
            )
        except BaseException:
            server.release(lease)
            raise
    elif kind == "falkordb":
        from graph.store.falkordb_store import FalkorDBStore

        u = urlparse(settings.store)
        store = FalkorDBStore(host=u.hostname or "localhost", port=u.port or 6379,
                              password=u.password, graph=settings.graph_name,
                              batch_size=settings.batch_size)
    elif kind == "neo4j":
        from graph.store.neo4j_store import Neo4jStore

        if not settings.neo4j_password.get_secret_value():
            raise ConfigError(
                f"COALITION_STORE is {settings.store}, but COALITION_NEO4J_PASSWORD is not set."
            )
        store = Neo4jStore(settings.store, settings.neo4j_user,
                           settings.neo4j_password.get_secret_value(),
                           settings.neo4j_database, settings.batch_size,
                           notifications=settings.neo4j_notifications)
    else:
        raise ConfigError(
            f"Unknown store {settings.store!r}: use 'embedded', 'falkordb://host:port', or a "
            "Neo4j URI (bolt://, neo4j://, neo4j+s://)."
        )
    if schema:
        try:
            store.ensure_schema()
        except BaseException:
            store.close()
            raise
    return store
