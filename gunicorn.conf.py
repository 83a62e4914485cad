"""gunicorn settings; every value can be overridden with GUNICORN_* environment variables."""
import multiprocessing
import os
import tempfile

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:5000")
workers = int(os.environ.get("GUNICORN_WORKERS", min(2 * multiprocessing.cpu_count() + 1, 9)))
threads = int(os.environ.get("GUNICORN_THREADS", 2))
# Slow phones on bad networks: give an upload time, but not forever (nginx buffers in production).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 60))
graceful_timeout = 30
keepalive = 5
# Request-line and header limits against abuse; bodies are limited by the app (413).
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190
accesslog = None  # the app logs one JSON line per request itself
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")

# Prometheus: every worker writes its numbers to a shared directory, /metrics sums them.
os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", tempfile.mkdtemp(prefix="satgas-metrics-"))


def child_exit(server, worker):
    from prometheus_flask_exporter.multiprocess import GunicornInternalPrometheusMetrics

    GunicornInternalPrometheusMetrics.mark_process_dead_on_child_exit(worker.pid)
