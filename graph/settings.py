"""The one settings object. Read from ``COALITION_*`` environment variables (and ``.env``)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="COALITION_", env_file=".env", extra="ignore")

    store: str = Field(
        "embedded",
        description="'embedded' (managed FalkorDB), 'falkordb://host:port', or a Neo4j URI "
        "(bolt://, neo4j://, neo4j+s://, bolt+s://).",
    )
    data_dir: Path = Field(Path(".coalition"), description="Where the embedded store keeps data.")
    graph_name: str = Field("coalition", description="FalkorDB graph key / Neo4j database name.")
    neo4j_user: str = "neo4j"
    neo4j_password: SecretStr = SecretStr("")
    neo4j_database: str | None = Field(None, description="Neo4j database; default: server default.")
    neo4j_notifications: bool = Field(
        False, description="Let the Neo4j server send its query notifications (warnings "
        "such as 'property key does not exist'), which the driver prints on stderr; for "
        "debugging. Off: the driver asks the server for none.")
    batch_size: int = Field(5000, ge=1, le=100_000, description="Rows per UNWIND statement.")
    fuzzy_threshold: float = Field(
        92.0, ge=50, le=100, description="Name similarity (0-100) at which rows are flagged."
    )
    hub_percentile: float = Field(
        99.0, ge=50, le=100, description="Hubs (graph/hubs.py): actors and events whose "
        "number of neighbours is above this percentile of the graph's, and above "
        "hub_min_ties; ego networks and paths do not expand through them unless asked.")
    hub_min_ties: int = Field(25, ge=1, description="The fewest neighbours a hub has (more "
                              "than this).")
    server_start_timeout: float = Field(20.0, description="Seconds to wait for the embedded server.")
    change_window_months: int = Field(
        6, ge=1, le=60, description="What each build changed: months after a build whose new "
        "ties and first-time organizations are credited to it.")
    serve_workers: int = Field(
        1, ge=1, le=64, description="Worker processes of `coalition serve`. Drawing an ego "
        "network or a page is CPU work in Python: one process answers on one core at a "
        "time, so a server for many browsing users wants two workers per core, each of two "
        "threads (serve_threads; docs/api.md).")
    serve_threads: int = Field(
        4, ge=1, le=256, description="Requests one worker of `coalition serve` works on at "
        "once (its thread pool); the rest wait their turn. Python runs one thread at a time "
        "per process, so more threads add no CPU: a few let a request that waits on the "
        "database overlap one that computes, and many only take turns, each request then "
        "finishing late (measured in docs/benchmarks.md).")
    keys_file: Path | None = Field(None, description="API keys (hashed); default: in data_dir.")
    audit_file: Path | None = Field(None, description="Audit log; default: in data_dir.")

    @property
    def store_kind(self) -> str:
        s = self.store.strip().lower()
        if s == "embedded":
            return "embedded"
        if s.startswith("falkordb://"):
            return "falkordb"
        if s.split("://", 1)[0] in {"bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc"}:
            return "neo4j"
        return "unknown"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
