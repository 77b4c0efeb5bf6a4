"""A command run against a server named by PREFECT_API_URL starts no temporary server and pays nothing for one."""

from __future__ import annotations

import os
import subprocess
import sys

_PROBE = """
import sys
from scorecards.flows.shared.temporary_server import start_temporary_server
start_temporary_server()
print(sorted(name for name in sys.modules if name.startswith("prefect.server")))
"""


def test_with_an_api_url_set_the_server_s_modules_are_not_even_imported() -> None:
    # Importing prefect.server.api.server costs seconds (about 5 s on the 2-core benchmark machine): paid by every
    # `scorecards run` against a running server, a fifth of the whole run at the evidence scale, before the fix.
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    # Nothing listens there: a started server or a client call would show as an error or a wait, not pass.
    env["PREFECT_API_URL"] = "http://127.0.0.1:9/api"
    probe = subprocess.run([sys.executable, "-c", _PROBE], env=env, capture_output=True, text=True, timeout=120)
    assert probe.returncode == 0, probe.stderr
    assert probe.stdout.strip() == "[]"
