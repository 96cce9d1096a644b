"""Terminal progress for `make run`: reads `airflow dags test` output on stdin, keeps all of it in a log
file, and prints one line per task as it starts and ends (and the reason when one fails).

    airflow dags test ... 2>&1 | python -m ingestion.operator.progress .local/last-run.log
"""

from __future__ import annotations

import re
import sys
import time

RUNNING = re.compile(
    r"\[DAG TEST\] running task <TaskInstance: [\w.-]+\.(?P<task>[\w-]+) \S+(?: map_index=(?P<i>\d+))?"
)
STATE = re.compile(r"Task instance state updated.*new_state=(?P<state>\w+)")
ERROR = re.compile(r"^(?:\w+\.)*\w*(?:Error|Exception|Failed|ValidationFailed)\b.*|^error: .*")


def main(log_path: str) -> int:
    current, started = "", time.monotonic()
    with open(log_path, "w", encoding="utf-8") as log:
        for line in sys.stdin:
            log.write(line)
            if match := RUNNING.search(line):
                index = match.group("i")
                current = match.group("task") + (f"[{index}]" if index is not None else "")
                started = time.monotonic()
                print(f"   … {current}", flush=True)
            elif (match := STATE.search(line)) and match.group("state") in ("success", "failed", "skipped"):
                if current:
                    mark = {"success": "ok", "failed": "FAILED", "skipped": "skipped"}[match.group("state")]
                    print(f"   {mark:>7} {current} ({time.monotonic() - started:.1f}s)", flush=True)
            elif ERROR.match(line.strip()):
                print(f"           {line.strip()[:300]}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
