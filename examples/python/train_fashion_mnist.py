#!/usr/bin/python3
"""Train a small classifier on Fashion-MNIST and measure every epoch with joule.

    /usr/bin/python3 examples/python/train_fashion_mnist.py --samples 2000 --epochs 3

Each epoch is a scope counting training samples, and the evaluation a scope
counting inferences. Run on its own, it prints the energy and carbon of each;
under `joule run --unit sample -- ...` the same scopes become the run's phases
and the samples its units, and the run's record holds the energy.
"""
import argparse
import gzip
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
    results = []
    for epoch in range(1, args.epochs + 1):
        with joule.scope(f"epoch {epoch}", unit="sample") as scope:
            order = torch.randperm(len(x))
            for start in range(0, len(x), args.batch):
                index = order[start:start + args.batch]
                optimizer.zero_grad()
                loss = loss_fn(model(x[index]), y[index])
                loss.backward()
                optimizer.step()
                scope.add_units(len(index))
        results.append(scope.result)
        print(f"  loss {loss.item():.3f}; {describe(scope.result)}")

    with torch.no_grad(), joule.scope("evaluate", unit="inference") as scope:
        accuracy = (model(tx).argmax(1) == ty).float().mean().item()
        scope.add_units(len(tx))
    results.append(scope.result)
    print(f"  accuracy {accuracy:.3f}; {describe(scope.result)}")

    if not session.reports_to_run:
        total = sum(r.energy_j for r in results)
        print(f"total: {total:.3f} J ({results[0].provenance})")
    joule.shutdown()


if __name__ == "__main__":
    main()
