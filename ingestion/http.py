"""One HTTP session factory for every API source: timeouts, retries with backoff, Retry-After, recorded mode."""

from __future__ import annotations

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from ingestion import __version__
from ingestion.config import Settings

RETRY_STATUSES = (429, 500, 502, 503, 504)


def make_session(settings: Settings) -> requests.Session:
    """A session that retries GETs on 429/5xx and connection errors, honouring Retry-After.

    In SOURCE_MODE=recorded the CBS base URLs (both v3 catalogues and v4) are served from the bundled recordings
    by a transport adapter, so the client code above it is exactly the code that talks to the live API.
    """
    retry = Retry(
        total=settings.http_retries,
        connect=settings.http_retries,
        read=settings.http_retries,
        status=settings.http_retries,
        backoff_factor=settings.http_backoff_seconds,
        backoff_max=120,
        status_forcelist=RETRY_STATUSES,
        allowed_methods=frozenset({"GET"}),
        respect_retry_after_header=True,
        # Hand the last response back instead of raising, so the caller can name the table and status.
        raise_on_status=False,
    )
    adapter = HTTPAdapter(max_retries=retry)
    session = requests.Session()
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers.update({"Accept": "application/json", "User-Agent": f"programmamonitor/{__version__}"})
    if settings.source_mode == "recorded":
        from ingestion.dev.recorded import RecordedODataAdapter

        recorded = RecordedODataAdapter(settings.cbs_recordings_dir, page_size=25)
        session.mount(settings.cbs_odata_url + "/", recorded)
        session.mount(settings.cbs_odata_v4_url + "/", recorded)
        session.mount(settings.cbs_dataderden_url + "/", recorded)
    return session
