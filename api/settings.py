"""API settings (pydantic-settings): read from the environment (`ANALOGMAP_*`) or a `.env` file.

    ANALOGMAP_STORE=embedded|neo4j          which graph store (default embedded)
    ANALOGMAP_STORE_PATH=./analogmap-graph  the embedded store's directory
    ANALOGMAP_NEO4J_URI / _NEO4J_USER / _NEO4J_PASSWORD / _NEO4J_DATABASE
    ANALOGMAP_API_TOKENS='{"alice": "<token>", "bob": "<token>"}'
                                            reviewer name → bearer token; writes need one of them.
                                            None by default: every write is refused (401).
    ANALOGMAP_CORS_ORIGINS='["https://example.lg.jp"]'   none by default (CORS closed)
    ANALOGMAP_MAX_UPLOAD_BYTES=5242880      request bodies above this get 413
    ANALOGMAP_CHECK_TIMEOUT_S=20            a /check taking longer gets 503 (problem `timeout`)
    ANALOGMAP_MAX_PAGE_SIZE=200             largest `limit` of /provisions
    ANALOGMAP_MAX_EXPORT_ROWS=100000        /export stops after this many rows

Tokens shorter than 16 characters are refused (like the FastAPI template refusing default secrets).
"""
from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

MIN_TOKEN_LENGTH = 16


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ANALOGMAP_", env_file=".env", env_file_encoding="utf-8",
                                      extra="ignore")

    store: Literal["embedded", "neo4j"] = "embedded"
    store_path: Path = Path("analogmap-graph")
    neo4j_uri: str | None = None
    neo4j_user: str = "neo4j"
    neo4j_password: SecretStr = SecretStr("")
    neo4j_database: str | None = None

    api_tokens: dict[str, SecretStr] = Field(default_factory=dict,
                                             description="reviewer name → bearer token (JSON object)")
    cors_origins: list[str] = Field(default_factory=list)

    max_upload_bytes: int = Field(5 * 1024 * 1024, ge=1024)
    check_timeout_s: float = Field(20.0, gt=0)
    max_page_size: int = Field(200, ge=1, le=1000)
    max_export_rows: int = Field(100_000, ge=1)
    title: str = "analogmap"

    @field_validator("api_tokens")
    @classmethod
    def _strong_tokens(cls, tokens: dict[str, SecretStr]) -> dict[str, SecretStr]:
        for reviewer, token in tokens.items():
            if not reviewer.strip():
                raise ValueError("api_tokens: reviewer names must not be empty")
            if len(token.get_secret_value()) < MIN_TOKEN_LENGTH:
                raise ValueError(f"api_tokens: the token of {reviewer!r} is shorter than {MIN_TOKEN_LENGTH} "
                                 "characters; use a random one (python -c 'import secrets; print(secrets.token_urlsafe())')")
        return tokens

    def open_store(self):
        """Open the configured `GraphStore`."""
        from analogmap.kg.store import open_store

        if self.store == "neo4j":
            options = {"database": self.neo4j_database} if self.neo4j_database else {}
            return open_store("neo4j", uri=self.neo4j_uri, user=self.neo4j_user,
                              password=self.neo4j_password.get_secret_value(), **options)
        return open_store("embedded", path=self.store_path)


__all__ = ["Settings", "MIN_TOKEN_LENGTH"]
