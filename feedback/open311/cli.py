"""`flask api-key create`: issue an Open311 API key to a CSO or integration."""

import click
from flask.cli import with_appcontext

from feedback.services.open311 import create_api_key

api_key_group = click.Group("api-key", help="Open311 API keys.")


@api_key_group.command("create")
@click.option("--label", required=True, help="What the key is for, e.g. the client's name.")
@click.option("--organisation", required=True, help="Who holds it.")
@with_appcontext
def create_api_key_command(label: str, organisation: str) -> None:
    """Create a key and print it once: only its SHA-256 is stored."""
    key = create_api_key(label.strip(), organisation.strip())
    click.echo(f"API key for {organisation} ({label}); it is shown only this once:")
    click.echo(key)
