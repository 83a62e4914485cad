"""Flask CLI: `flask --app wsgi init`, `users create ...` and `uploads expire`."""
from __future__ import annotations

import click
from flask.cli import with_appcontext
from flask_migrate import upgrade

from models import ROLES
from satgas.errors import DomainError
from satgas.photo_storage import photo_storage
from satgas.services import uploads
from satgas.services.accounts import create_user
from satgas.services.areas import load_reference_data
from storage import StorageError


@click.command("init")
@with_appcontext
def init_command() -> None:
    """Create or upgrade the schema, load the Kota Malang areas and prepare the photo storage (idempotent)."""
    upgrade()
    counts = load_reference_data()
    storage = photo_storage()
    try:
        storage.prepare()
    except StorageError as exc:
        raise click.ClickException(f"The photo storage {storage!r} cannot be prepared: {exc}") from None
    click.echo(f"Schema up to date; {counts['kecamatan']} kecamatan and {counts['kelurahan']} kelurahan loaded; "
               f"photo storage ready ({storage!r}).")


@click.group("users")
def users_cli() -> None:
    """Manage user accounts."""


@users_cli.command("create")
@click.argument("username")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--crew-id", type=int, default=None)
@click.option("--kecamatan", "kecamatan_code", default=None, help="Kecamatan code, e.g. 35.73.02")
@click.password_option("--password", prompt=True, confirmation_prompt=True)
@with_appcontext
def create_user_command(username: str, role: str, crew_id: int | None, kecamatan_code: str | None,
                        password: str) -> None:
    """Create a user (prompts for the password when not given)."""
    try:
        user = create_user(username, password, role, crew_id=crew_id, kecamatan_code=kecamatan_code)
    except DomainError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"Created {user.role} {user.username!r} (id {user.id}).")


@click.group("uploads")
def uploads_cli() -> None:
    """Resumable photo uploads (tus)."""


@uploads_cli.command("expire")
@with_appcontext
def expire_uploads_command() -> None:
    """Remove uploads older than 24 hours with their stored bytes, and orphaned parts (run daily)."""
    try:
        done = uploads.expire()
    except StorageError as exc:
        raise click.ClickException(f"The photo storage does not answer; nothing more was removed: {exc}") from None
    click.echo(f"Removed {done.uploads} uploads older than {uploads.UPLOAD_TTL.total_seconds() / 3600:.0f} hours "
               f"({done.parts} stored parts) and {done.orphans} orphaned parts.")
