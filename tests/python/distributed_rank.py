"""One rank of a tiny torch.distributed (gloo, CPU) job that reports its
training phase to `joule run` through `import joule`. Started by
distributed_launch.py with torchrun's environment."""
import os
import sys

import torch
import torch.distributed as dist

import joule


def main() -> int:
    rank = int(os.environ["RANK"])
    dist.init_process_group("gloo")
    session = joule.default_session()
    # Under `joule run` a rank measures nothing itself: no domain twice.
    assert session.mode == "control", session.mode
    assert session.domains == [], session.domains
    torch.manual_seed(0)
    model = torch.nn.parallel.DistributedDataParallel(torch.nn.Linear(8, 1))
    optimiser = torch.optim.SGD(model.parameters(), lr=0.01)
    with joule.scope("train", unit="sample") as s:
        for _ in range(5):
            x = torch.randn(16, 8)
            loss = model(x).pow(2).mean()
            optimiser.zero_grad()
            loss.backward()  # gloo all-reduce of the gradients
            optimiser.step()
            s.add_units(16)
        dist.barrier()
    dist.barrier()
    dist.destroy_process_group()
    if os.environ.get("JOULE_TEST_DIE_RANK") == str(rank):
        os._exit(3)  # no atexit: the rank dies without its goodbye
    print(f"rank {rank} done", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
