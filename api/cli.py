"""The `analogmap` command line."""
import typer

app = typer.Typer(no_args_is_help=True, add_completion=False)


@app.callback()
def root() -> None:
    """analogmap: find analog regulations in Japanese law."""


def main() -> None:
    app()
