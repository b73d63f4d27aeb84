"""Asynchronous jobs: ``POST /v1/jobs`` queues work, workers run it once, callbacks report it.

A CMS hook cannot wait for a generation (WordPress gives up after 5 s), so a
job is accepted at once (202) and run by a thread in some worker of some
replica. Jobs live in Redis when ``NEWSBRIEF_CACHE_URL`` is set, else in the
host's SQLite store (``NEWSBRIEF_STATE_DIR``). A worker holds a job under a
lease that it renews while running; a worker that dies lets its lease lapse
and another worker runs the job again, and only the holder of the current
lease can write the result, so each job ends once.
"""

# WSGI environ keys of a job's internal request (no client can set a WSGI key):
# its presence skips the API key and rate limit, checked at submission.
JOB_ENVIRON = "newsbrief.job"
OWNER_ENVIRON = "newsbrief.job_owner"
