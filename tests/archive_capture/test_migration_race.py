"""Several processes opening one fresh database at once: exactly one applies each migration
(the others wait on the write lock and then find it applied), and every open succeeds."""
import subprocess
import sys

from archive.db import MIGRATIONS
from pn_testing import cli_env

OPENER = """
import sys
from archive.db import open_db
sys.stdin.readline()  # all start together
open_db(sys.argv[1]).close()
"""


def test_concurrent_opens_of_a_fresh_file_all_succeed(tmp_path):
    for attempt in range(3):
        path = tmp_path / f"fresh{attempt}.db"
        procs = [subprocess.Popen([sys.executable, "-c", OPENER, str(path)], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=cli_env())
                 for _ in range(8)]
        for p in procs:  # release them at once
            p.stdin.write("go\n")
            p.stdin.flush()
        errors = []
        for p in procs:
            out, err = p.communicate(timeout=120)
            if p.returncode:
                errors.append(err.strip().splitlines()[-1] if err.strip() else f"exit {p.returncode}")
        assert errors == [], errors
        import sqlite3

        conn = sqlite3.connect(path)
        versions = [r[0] for r in conn.execute("SELECT version FROM schema_migrations ORDER BY version")]
        conn.close()
        assert versions == [v for v, _, _ in MIGRATIONS]
