"""SFTP uploads per second on ONE connection against a local OpenSSH sshd: crossdock's upload
(temporary name, then rename, errors mapped) vs plain paramiko ``SFTPClient.putfo`` to the final name.

``measure(seconds)`` starts its own sshd (``tests/fixtures/sshd.py``'s ``SshServer``), opens ONE
connection and on it alternates one upload of each, so load from other processes hits both equally.
The ratio compares median per-upload latencies; the rates are uploads over time spent. It stops the
server by PID and returns ``sftp_uploads_per_s``, ``sftp_bare_uploads_per_s`` and ``sftp_ratio``.
Run alone it prints one JSON line. ``bench/bridges_bench.py`` imports it.
"""

from __future__ import annotations

import io
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from crossdock.bridges.sftp import SftpSession, profile_from_dict, upload  # noqa: E402
from tests.fixtures.sshd import make_server, sshd_available  # noqa: E402

PAYLOAD = b"ISA*00*" + b"x" * 1017  # ~1 KiB, the size of a small 856/997


def measure(seconds: float = 5.0) -> dict[str, float]:
    reason = sshd_available()
    if reason:
        raise RuntimeError(reason)
    root = Path(tempfile.mkdtemp(prefix="crossdock-sftp-bench-"))
    server = make_server(root)
    try:
        session = SftpSession(profile_from_dict(server.profile_dict()))
        sftp = session.open()  # the same ONE connection serves both, so only the upload code differs
        bare_dir = str(server.folder("archive"))
        latencies: dict[str, list[float]] = {"crossdock": [], "bare": []}
        upload(session, "warmup.edi", PAYLOAD)
        sftp.putfo(io.BytesIO(PAYLOAD), f"{bare_dir}/warmup.edi")
        deadline = time.perf_counter() + seconds
        n = 0
        while time.perf_counter() < deadline:
            name = f"F{n:08d}.edi"
            start = time.perf_counter()
            upload(session, name, PAYLOAD)
            middle = time.perf_counter()
            sftp.putfo(io.BytesIO(PAYLOAD), f"{bare_dir}/{name}")
            latencies["crossdock"].append(middle - start)
            latencies["bare"].append(time.perf_counter() - middle)
            n += 1
        session.close()
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)
    ours, bare = latencies["crossdock"], latencies["bare"]
    return {
        "sftp_uploads_per_s": round(len(ours) / sum(ours), 1),
        "sftp_bare_uploads_per_s": round(len(bare) / sum(bare), 1),
        # median per-upload latencies resist load spikes from other processes on a shared machine
        "sftp_ratio": round(statistics.median(bare) / statistics.median(ours), 3),
        "sftp_uploads": float(len(ours)),
    }


if __name__ == "__main__":
    print(json.dumps(measure(float(sys.argv[1]) if len(sys.argv) > 1 else 5.0)))
