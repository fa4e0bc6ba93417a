"""gunicorn's settings for the web server: `gunicorn -c gunicorn.conf.py wsgi:app` (the
feedback-web unit, docs/deploy.md). This file is gunicorn's own configuration, so it reads its
few environment variables itself; the app's settings stay in config.py."""

import os

# Loopback by default: nginx in front is the only client. Another app host behind a shared
# proxy binds its private address instead, e.g. GUNICORN_BIND=10.0.0.11:8000.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",")

# Sync workers, one request each: requests are short and nginx buffers slow clients. Each
# worker holds about one database connection and 120-150 MB of memory, hence the cap.
_cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
workers = int(os.environ.get("GUNICORN_WORKERS") or min(2 * (_cores or 1) + 1, 9))
worker_class = "sync"

# Twilio gives up on a webhook after 15 s and retries it; a worker stuck for 10 s is killed
# so the retry finds a free one. On SIGTERM or HUP, requests in flight get 10 s to finish.
timeout = 10
graceful_timeout = 10
# A fresh worker now and then keeps any slow leak in check, but not too often: booting one
# costs about 1.5 s of a core (importing the app). At 2,000 requests two busy workers on two
# cores (500 webhooks/s) spent a sixth of the CPU on restarts and stalled whenever both
# restarted at once (bench/webhook.py: p99 over a second). Jitter keeps them apart.
max_requests = 50_000
max_requests_jitter = 10_000

# nginx on this host sets X-Forwarded-Proto; trust it only from there (the app's ProxyFix,
# TRUSTED_PROXY_COUNT, does the same for the app). A proxy on another host: its address.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# The longest request line gunicorn allows: Kannel's get-url carries a whole URL-encoded
# message. Headers stay at gunicorn's defaults; bodies are capped by nginx and the app.
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190

# Both logs to stdout/stderr, i.e. the journal. The access log has the path without its
# query string: Kannel's query carries the sender's number, the text and the shared secret.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
access_log_format = '%({x-forwarded-for}i)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms "%(f)s" "%(a)s"'

# systemd restarts the whole unit; gunicorn's runtime control socket is not needed (and its
# default lives in $HOME, read-only under the unit's sandbox).
control_socket_disable = True
