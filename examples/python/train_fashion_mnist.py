#!/usr/bin/python3
"""Train a small classifier on Fashion-MNIST and measure every epoch with joule.

    /usr/bin/python3 examples/python/train_fashion_mnist.py --samples 2000 --epochs 3

The training is a tracked block counting samples with a phase per epoch, and
the evaluation a block counting inferences. Run on its own, it prints the
energy and carbon of each epoch, of the training and of the evaluation, per
sample and per inference; under `joule run --unit sample -- ...` the same
blocks and phases become the run's phases and the samples its units, and the
run's record holds the energy.
"""
import argparse
import gzip
import json
import os
import struct

import numpy as np
import torch

import joule


def load_idx(path: str, limit: int) -> np.ndarray:
    """The first `limit` items of an IDX file (gzipped or not)."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        zero, dtype, ndim = struct.unpack(">HBB", f.read(4))
        if zero != 0 or dtype != 0x08:
            raise ValueError(f"{path}: not an unsigned-byte IDX file")
        shape = list(struct.unpack(f">{ndim}I", f.read(4 * ndim)))
        shape[0] = min(shape[0], limit)
        data = f.read(int(np.prod(shape)))
    return np.frombuffer(data, dtype=np.uint8).reshape(shape)


def describe(result: "joule.Result") -> str:
    if result.reported_to_run:
        return f"{result.name}: {result.duration_s:.3f} s (energy in the joule run record)"
    text = (f"{result.name}: {result.energy_j:.3f} J over {result.duration_s:.3f} s "
            f"({result.provenance}, ±{result.relative_uncertainty * 100:.0f} %)")
    if result.unit_count > 0:
        fp = result.footprint()
        text += (f", {result.energy_j / result.unit_count * 1e3:.3f} mJ/{result.unit}, "
                 f"{fp.sci_g_per_unit.central * 1e3:.4f} mg CO2e/{result.unit}")
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    parser.add_argument("--samples", type=int, default=10000, help="training samples used")
    parser.add_argument("--test-samples", type=int, default=1000)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--json", help="alone: also write the results (to_dict) here")
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    x = torch.from_numpy(load_idx(f"{args.data}/train-images-idx3-ubyte.gz", args.samples)
                         .reshape(-1, 784).astype(np.float32) / 255.0)
    y = torch.from_numpy(load_idx(f"{args.data}/train-labels-idx1-ubyte.gz", args.samples)
                         .astype(np.int64))
    tx = torch.from_numpy(load_idx(f"{args.data}/t10k-images-idx3-ubyte.gz", args.test_samples)
                          .reshape(-1, 784).astype(np.float32) / 255.0)
    ty = torch.from_numpy(load_idx(f"{args.data}/t10k-labels-idx1-ubyte.gz", args.test_samples)
                          .astype(np.int64))

    model = torch.nn.Sequential(torch.nn.Linear(784, 128), torch.nn.ReLU(),
                                torch.nn.Linear(128, 10))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    loss_fn = torch.nn.CrossEntropyLoss()

    session = joule.default_session()
    print(f"training on {len(x)} samples, {args.epochs} epochs, {args.threads} threads; "
          f"joule in {session.mode} mode")
    # The whole training is one tracked block counting samples, each epoch a
    # phase of it: t.add_units counts in the block and in the open phase.
    with joule.track("training", unit="sample") as t:
        for epoch in range(1, args.epochs + 1):
            with t.phase(f"epoch {epoch}"):
                order = torch.randperm(len(x))
                for start in range(0, len(x), args.batch):
                    index = order[start:start + args.batch]
                    optimizer.zero_grad()
                    loss = loss_fn(model(x[index]), y[index])
                    loss.backward()
                    optimizer.step()
                    t.add_units(len(index))
            print(f"  loss {loss.item():.3f}; {describe(t.phases[-1])}")
    print(f"  {describe(t.result)}")

    with torch.no_grad(), joule.track("evaluate", unit="inference") as e:
        accuracy = (model(tx).argmax(1) == ty).float().mean().item()
        e.add_units(len(tx))
    print(f"  accuracy {accuracy:.3f}; {describe(e.result)}")

    if not session.reports_to_run:
        total = t.result.energy_j + e.result.energy_j
        print(f"total: {total:.3f} J ({t.result.provenance})")
        if args.json:
            with open(args.json, "w") as f:
                json.dump({"training": t.to_dict(), "evaluate": e.to_dict()}, f, indent=1)
    joule.shutdown()


if __name__ == "__main__":
    main()
