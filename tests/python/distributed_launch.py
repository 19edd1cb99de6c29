"""Starts WORLD ranks of distributed_rank.py as torchrun would (RANK,
LOCAL_RANK, WORLD_SIZE, LOCAL_WORLD_SIZE, MASTER_ADDR, MASTER_PORT,
TORCHELASTIC_RUN_ID), since Debian's `python3 -m torch.distributed.run` fails
under Python 3.11. Exits with the first failing rank's status."""
import os
import socket
import subprocess
import sys


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> int:
    world = int(sys.argv[1])
    here = os.path.dirname(os.path.abspath(__file__))
    port = str(free_port())
    ranks = []
    for rank in range(world):
        env = dict(os.environ, RANK=str(rank), LOCAL_RANK=str(rank), WORLD_SIZE=str(world),
                   LOCAL_WORLD_SIZE=str(world), MASTER_ADDR="127.0.0.1", MASTER_PORT=port,
                   OMP_NUM_THREADS="1")
        ranks.append(subprocess.Popen([sys.executable, os.path.join(here, "distributed_rank.py")],
                                      env=env))
    statuses = [r.wait(timeout=120) for r in ranks]
    return next((s for s in statuses if s != 0), 0)


if __name__ == "__main__":
    sys.exit(main())
