"""The Flask application factory: configuration, extensions, blueprints, the CLI, errors."""

import logging
import os
import secrets
import time
from pathlib import Path
from typing import TextIO, cast

from flask import Flask, render_template, request, session
from flask.logging import wsgi_errors_stream
from sqlalchemy import event
from werkzeug.middleware.proxy_fix import ProxyFix

from config import BASE_DIR, ConfigError, config_for
from feedback.extensions import babel, csrf, db, limiter, login_manager, migrate
from feedback.production_checks import secret_key_problem
from feedback.services.attachment_storage import install_storage
from feedback.services.settings import install_settings
from feedback.sms.backends import enabled_channels
from feedback.web.dates import register_date_filters
from feedback.web.input_guard import register_input_guard
from feedback.web.security_headers import register_security_headers


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=str(BASE_DIR / "instance"),
        template_folder=str(BASE_DIR / "templates"),
        static_folder=str(BASE_DIR / "static"),
    )
    # Tests get the testing config unless they name another environment.
    environment = test_config.get("FEEDBACK_ENV", "testing") if test_config else None
    app.config.from_object(config_for(environment))
    if test_config:
        app.config.update(test_config)
    validate_config(app.config)
    Path(app.instance_path).mkdir(exist_ok=True)
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = instance_secret_key(Path(app.instance_path))
    # The simulator lets anyone read and send as any phone: development's console only.
    app.config["SMS_SIMULATOR"] = (
        app.config["SMS_SIMULATOR"] and app.config["SMS_BACKEND"] == "console"
    )
    if app.config["TRUSTED_PROXY_COUNT"]:
        hops = app.config["TRUSTED_PROXY_COUNT"]
        # Flask's documented way to wrap its WSGI app; mypy sees a method replaced.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops
        )
    register_extensions(app)
    install_settings(app, enabled_channels(app.config))
    install_storage(app)
    register_security_headers(app)
    register_date_filters(app)
    register_audit_log()
    register_input_guard(app)
    register_blueprints(app)
    register_cli(app)
    register_error_handlers(app)
    return app


def validate_config(config) -> None:
    """Refuse to start half-configured rather than fail on the first citizen's message."""
    if config.get("PRODUCTION") and (problem := secret_key_problem(config["SECRET_KEY"])):
        raise ConfigError(f"{problem}; production needs a random one (see flask check-config)")
    backend = config["SMS_BACKEND"]
    if backend not in ("console", "twilio"):
        raise ConfigError(f"SMS_BACKEND must be 'console' or 'twilio', not {backend!r}")
    if backend == "twilio":
        missing = [
            name
            for name in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_FROM")
            if not config.get(name)
        ]
        if missing:
            raise ConfigError(f"SMS_BACKEND=twilio needs {', '.join(missing)}")
    storage = config["ATTACHMENT_STORAGE"]
    if storage not in ("local", "s3"):
        raise ConfigError(f"ATTACHMENT_STORAGE must be 'local' or 's3', not {storage!r}")
    if storage == "s3" and not config.get("S3_BUCKET"):
        raise ConfigError("ATTACHMENT_STORAGE=s3 needs S3_BUCKET")


def instance_secret_key(instance: Path) -> str:
    """Development without SECRET_KEY: a random key kept in instance/ (so the web server and
    the worker share it), never a value published in the code."""
    path = instance / "secret_key"
    if not path.exists():
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "w") as file:
                file.write(secrets.token_urlsafe(48))
        except FileExistsError:
            pass  # another process of this instance wrote it first
    return path.read_text().strip()


def register_extensions(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db, directory=str(BASE_DIR / "migrations"))
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    login_manager.session_protection = "strong"
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            configure_sqlite(db.engine)

    @login_manager.user_loader
    def load_user(session_id: str):
        from feedback.services.accounts import user_of_session

        return user_of_session(session_id)

    @app.context_processor
    def inject_language():
        from flask_babel import get_locale

        language = str(get_locale() or "ar")
        return {"lang": language, "text_dir": "rtl" if language == "ar" else "ltr"}


def register_audit_log() -> None:
    """Staff account changes (who signed whom out, ...) go to the "feedback.audit" logger;
    unless the deployment routes it elsewhere, they go to the server's error stream."""
    audit = logging.getLogger("feedback.audit")
    audit.setLevel(logging.INFO)
    if not audit.handlers:
        handler = logging.StreamHandler(cast(TextIO, wsgi_errors_stream))  # a proxy to one
        handler.setFormatter(logging.Formatter("%(asctime)s audit: %(message)s"))
        audit.addHandler(handler)


def configure_sqlite(engine) -> None:
    """WAL so readers never block the writer, a busy timeout instead of 'database is locked',
    and BEGIN IMMEDIATE so two writers queue at the start rather than fail at commit."""

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def select_locale() -> str:
    """The language the visitor chose, else the browser's preference; Arabic by default."""
    chosen = session.get("lang")
    if chosen in ("ar", "en"):
        return chosen
    return request.accept_languages.best_match(["ar", "en"]) or "ar"


def register_blueprints(app: Flask) -> None:
    from feedback.admin.views import bp as admin_bp
    from feedback.monitor.views import bp as monitor_bp
    from feedback.officer.escalations import bp as escalations_bp
    from feedback.officer.incidents import bp as officer_incidents_bp
    from feedback.officer.views import bp as officer_bp
    from feedback.open311.views import bp as open311_bp
    from feedback.web.auth import bp as auth_bp
    from feedback.web.moderation import bp as moderation_bp
    from feedback.web.photo_review import bp as photo_review_bp
    from feedback.web.public_map import bp as public_map_bp
    from feedback.web.reports import bp as reports_bp
    from feedback.web.simulator import bp as simulator_bp
    from feedback.web.sms_webhooks import bp as sms_bp
    from feedback.web.stats import bp as stats_bp
    from feedback.web.two_factor import bp as two_factor_bp
    from feedback.web.views import bp as web_bp

    app.register_blueprint(web_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(two_factor_bp)
    app.register_blueprint(officer_bp)
    app.register_blueprint(officer_incidents_bp)
    app.register_blueprint(escalations_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(monitor_bp)
    app.register_blueprint(moderation_bp)
    app.register_blueprint(photo_review_bp)
    app.register_blueprint(sms_bp)
    app.register_blueprint(open311_bp)
    app.register_blueprint(public_map_bp)
    app.register_blueprint(stats_bp)
    app.register_blueprint(reports_bp)
    if app.config["SMS_SIMULATOR"]:
        app.register_blueprint(simulator_bp)


def register_cli(app: Flask) -> None:
    from feedback.cli import (
        conversations_expire_command,
        escalation_digest_command,
        report_group,
        rollups_refresh_command,
        seed_demo_command,
        seed_reference_command,
        sla_check_command,
        sms_worker_command,
        understanding_group,
        user_group,
    )
    from feedback.open311.cli import api_key_group

    app.cli.add_command(seed_demo_command)
    app.cli.add_command(seed_reference_command)
    app.cli.add_command(conversations_expire_command)
    app.cli.add_command(user_group)
    app.cli.add_command(sms_worker_command)
    app.cli.add_command(sla_check_command)
    app.cli.add_command(escalation_digest_command)
    app.cli.add_command(rollups_refresh_command)
    app.cli.add_command(api_key_group)
    app.cli.add_command(understanding_group)
    app.cli.add_command(report_group)


def register_error_handlers(app: Flask) -> None:
    from feedback.web.throttle import refusal

    def render_error(error):
        """Pages get the error page; Open311 the spec's error format (also where no route
        matched, which no blueprint handler sees); other data (map points, exports,
        /stats.json) says what was wrong in its own format."""
        if request.path.startswith("/open311/"):
            from feedback.open311.views import http_error

            return http_error(error)
        if request.path.endswith((".json", ".geojson")):
            return {"error": error.description}, error.code
        if request.path.endswith(".csv"):
            return (
                f"{error.description}\n",
                error.code,
                {"Content-Type": "text/plain; charset=utf-8"},
            )
        if error.code == 429 and limiter.current_limit is not None:
            wait = limiter.current_limit.reset_at - time.time()
            return refusal(wait, "error.html", error=error)
        return render_template("error.html", error=error), error.code

    for code in (400, 403, 404, 405, 413, 429):
        app.register_error_handler(code, render_error)
