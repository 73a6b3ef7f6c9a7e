"""The message queue between app processes (Redis), made to live through Redis going away.

python-socketio's `RedisManager` already hands each fact to this process's own pages before
publishing it. What it lacks for a Friday:

- while Redis is down, every fact retried the connection (with redis-py's default backoff,
  seconds per fact) and logged two errors; here one warning says when Redis was lost, facts
  still reach this process's pages at once, and publishing is retried at most once a second;
- when Redis comes back, the pages of *every* process missed what the others published in the
  meantime: each process's listener, once subscribed again, tells its own pages to resync
  (`resync`, handled by static/js/live.js like a reconnection: every page reads its state
  again), within about a second;
- the listener's retry grew to 60 s; here it stays at one second.

Nothing written is lost: facts are only news of rows already committed; a page that missed a
fact reads the rows again on `resync`."""

import logging
import threading
import time
from datetime import datetime

import socketio
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

CHANNEL = "flask-socketio"
RETRY_SECONDS = 1.0
RESYNC_EVENT = "resync"


def manager_for(app):
    """The client manager for `app`'s Socket.IO server: None (this process alone) without a
    message queue, the resilient Redis manager for `redis://`/`rediss://`, else kombu's."""
    url = app.config.get("SOCKETIO_MESSAGE_QUEUE")
    if not url:
        return None
    if url.startswith(("redis://", "rediss://", "unix://")):
        return ResilientRedisManager(url, channel=CHANNEL)
    return socketio.KombuManager(url, channel=CHANNEL)


def _redis_options():
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    # A dead or unreachable Redis answers within two seconds, and redis-py does not retry
    # on its own (this manager decides when to try again).
    return {"socket_connect_timeout": 2, "retry": Retry(NoBackoff(), 0)}


class ResilientRedisManager(socketio.RedisManager):
    """A `RedisManager` that degrades to this process alone while Redis is away, and has every
    process's pages resync when it returns."""

    def __init__(self, url, channel=CHANNEL, namespace="/live"):
        super().__init__(url, channel=channel, redis_options=_redis_options())
        self.namespace = namespace
        self.down_since = None
        self.facts_not_shared = 0
        self._publisher = None
        self._next_try = 0.0
        self._lock = threading.Lock()

    # -- the state: up, or down since when ---------------------------------------------------

    def _went_down(self, error):
        with self._lock:
            if self.down_since is not None:
                return
            self.down_since = datetime.now().astimezone()
        log.warning(
            "Redis injoignable depuis %s (%s) : les pages de ce processus reçoivent encore "
            "tout, celles des autres processus se remettront à jour au retour de Redis.",
            self.down_since.strftime("%H:%M:%S"),
            error,
        )

    def _came_back(self):
        with self._lock:
            since, self.down_since = self.down_since, None
            lost, self.facts_not_shared = self.facts_not_shared, 0
        if since is not None:
            seconds = (datetime.now().astimezone() - since).total_seconds()
            log.warning(
                "Redis de retour après %.0f s (%d fait(s) non partagé(s) entre processus "
                "pendant la coupure) : les pages se remettent à jour.",
                seconds,
                lost,
            )
        return since is not None

    # -- publishing: this process's facts to the others --------------------------------------

    def _publish(self, data):
        now = time.monotonic()
        if self.down_since is not None and now < self._next_try:
            self.facts_not_shared += 1
            return None
        try:
            if self._publisher is None:
                module = self._get_redis_module()
                self._publisher = module.Redis.from_url(self.redis_url, **self.redis_options)
            sent = self._publisher.publish(self.channel, self.json.dumps(data))
        except (RedisError, OSError) as error:
            self._next_try = now + RETRY_SECONDS
            self.facts_not_shared += 1
            self._went_down(error)
            return None
        self._came_back()
        return sent

    # -- listening: the others' facts to this process's pages --------------------------------

    def _redis_listen_with_retries(self):
        lost = False
        while True:
            try:
                self._redis_connect()
                self.pubsub.subscribe(self.channel)
                if lost:
                    lost = False
                    self._came_back()
                    self.resync_pages()
                yield from self.pubsub.listen()
            except Exception as error:  # noqa: BLE001 (whatever ends the loop: retry, not die)
                self._went_down(error)
                lost = True
                time.sleep(RETRY_SECONDS)

    def resync_pages(self):
        """Tell every page of this process to read its state again (it may have missed facts
        published by another process while the queue was away)."""
        try:
            super(socketio.PubSubManager, self).emit(
                RESYNC_EVENT, {"reason": "message_queue"}, namespace=self.namespace
            )
        except Exception:
            log.exception("resync after Redis came back")
