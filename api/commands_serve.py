"""`analogmap serve`: run the API and the web page with uvicorn.

The lead wires it in `api/cli.py` with `from analogmap.api.commands_serve import register; register(app)`.
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer


def register(app: typer.Typer) -> None:
    @app.command()
    def serve(
        host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on."),
        port: int = typer.Option(8000, "--port", min=1, max=65535, help="TCP port."),
        store: Optional[str] = typer.Option(None, "--store",
                                            help="A directory (embedded store) or a bolt:// / neo4j:// URI; "
                                                 "default from ANALOGMAP_STORE / ANALOGMAP_STORE_PATH."),
        workers: int = typer.Option(1, "--workers", min=1, help="uvicorn worker processes."),
        log_level: str = typer.Option("info", "--log-level", help="uvicorn log level."),
    ) -> None:
        """Serve the API (OpenAPI at /docs) and the web page (/) ."""
        import os

        import uvicorn

        from .settings import Settings

        if store:
            if "://" in store:
                os.environ["ANALOGMAP_STORE"] = "neo4j"
                os.environ["ANALOGMAP_NEO4J_URI"] = store
            else:
                os.environ["ANALOGMAP_STORE"] = "embedded"
                os.environ["ANALOGMAP_STORE_PATH"] = str(Path(store))
        settings = Settings()  # fail early on bad settings
        typer.echo(f"analogmap: {settings.store} store "
                   f"({settings.neo4j_uri if settings.store == 'neo4j' else settings.store_path}); "
                   f"writes {'enabled for ' + ', '.join(settings.api_tokens) if settings.api_tokens else 'disabled (no tokens)'}; "
                   f"http://{host}:{port}/", err=True)
        uvicorn.run("analogmap.api.app:create_app", factory=True, host=host, port=port, workers=workers,
                    log_level=log_level, timeout_keep_alive=5, limit_concurrency=200)


__all__ = ["register"]
