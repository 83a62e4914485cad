"""gunicorn settings; every value can be overridden with GUNICORN_* environment variables."""
import ctypes
import ctypes.util
import gc
import multiprocessing
import os
import tempfile

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:5000")
workers = int(os.environ.get("GUNICORN_WORKERS", min(2 * multiprocessing.cpu_count() + 1, 9)))
threads = int(os.environ.get("GUNICORN_THREADS", 2))
# gunicorn must not face the internet: nginx (see the README) buffers slow clients. What can be
# bounded here is: a worker that stops answering is restarted after `timeout`; an idle kept-alive
# connection is closed after `keepalive`; a request body that stalls is ended by the app after
# BODY_READ_TIMEOUT_SECONDS (408). Half-sent request headers are not bounded by gunicorn's threads.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 60))
graceful_timeout = 30
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", 5))
# Request-line and header limits against abuse; bodies are limited by the app (413).
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190
accesslog = None  # the app logs one JSON line per request itself
# gunicorn's control socket lives at one path per user: several servers on a machine (app servers
# side by side, the test suite, the benchmark) would take it from each other. Not used here.
control_socket_disable = True
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")

# Prometheus: every worker writes its numbers to a shared directory, /metrics sums them.
os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", tempfile.mkdtemp(prefix="satgas-metrics-"))


# glibc gives threads their own malloc arenas (up to 8 per core). A worker's threads (gunicorn's,
# the photo writers, boto3's) then each keep their own free memory, so memory one thread freed is
# not reused by another and a big upload on a thread new to it grows the worker again. Two arenas
# (the usual advice for threaded Python servers) keep the worker's memory flat. MALLOC_ARENA_MAX in
# the environment of the master still decides when set (glibc reads it at start; setting it here
# would come too late, hence mallopt in each worker before its threads start).
MALLOC_ARENA_MAX = 2
_M_ARENA_MAX = -8  # glibc's mallopt parameter number


def post_fork(server, worker):
    if os.environ.get("MALLOC_ARENA_MAX"):
        return
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c"))
        if not libc.mallopt(_M_ARENA_MAX, MALLOC_ARENA_MAX):
            server.log.warning("mallopt(M_ARENA_MAX) refused; workers use glibc's default arenas")
    except (OSError, AttributeError):  # not glibc: nothing to tune
        pass


def when_ready(server):
    if server.cfg.workers > 1 and not os.environ.get("REDIS_URL"):
        server.log.warning(
            "%d workers and no REDIS_URL: each worker keeps its own rate-limit counters and public cache, "
            "so limits are looser and cached pages may lag; `make run` starts a private Redis, or set REDIS_URL.",
            server.cfg.workers)


def post_worker_init(worker):
    """The app's modules, routes and schemas (some hundred thousand objects) are loaded for good:
    freeze them out of the cyclic garbage collector, which otherwise walks all of them in every
    full collection that a request's allocations trigger (a quarter of the Python time of a batch
    of 200 logs in a profile)."""
    gc.collect()
    gc.freeze()


def child_exit(server, worker):
    from prometheus_flask_exporter.multiprocess import GunicornInternalPrometheusMetrics

    GunicornInternalPrometheusMetrics.mark_process_dead_on_child_exit(worker.pid)
