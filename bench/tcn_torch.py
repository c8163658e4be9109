#!/usr/bin/python3
"""PyTorch peer of bench/tcn.ts: the same TCN (Bai et al. 2018 residual blocks with weight-normalised
dilated convolutions, as used by Mustafa et al. 2019), timed on the CPU with --threads threads
(torch.set_num_threads).

Run with Debian's python3-torch:  /usr/bin/python3 bench/tcn_torch.py [--traces 450] [--samples 500]
    [--threads 1] [--infer-only --infer-batch 50 --reps 5]
With --infer-only no training is timed: inference over all traces in batches of --infer-batch,
--reps times after a warm-up pass, reporting the fastest pass and all of them.
Prints one JSON object. Exits 0 with {"skipped": "..."} when torch is not importable.
"""
import argparse
import json
import sys
import time

try:
    import torch
    import torch.nn as nn
    from torch.nn.utils import weight_norm
except Exception as e:  # torch absent: skip, do not fail
    print(json.dumps({"skipped": f"torch not importable: {e}"}))
    sys.exit(0)


class Block(nn.Module):
    def __init__(self, cin, cout, k, d, dropout, causal):
        super().__init__()
        span = (k - 1) * d
        self.pad = (span, 0) if causal else (span // 2, span - span // 2)
        self.conv1 = weight_norm(nn.Conv1d(cin, cout, k, dilation=d))
        self.conv2 = weight_norm(nn.Conv1d(cout, cout, k, dilation=d))
        self.drop = nn.Dropout(dropout)
        self.down = nn.Conv1d(cin, cout, 1) if cin != cout else None

    def forward(self, x):
        h = self.drop(torch.relu(self.conv1(nn.functional.pad(x, self.pad))))
        h = self.drop(torch.relu(self.conv2(nn.functional.pad(h, self.pad))))
        return torch.relu(h + (x if self.down is None else self.down(x)))


class TCN(nn.Module):
    def __init__(self, channels, k, dropout, causal):
        super().__init__()
        blocks, cin = [], 1
        for i, c in enumerate(channels):
            blocks.append(Block(cin, c, k, 2 ** i, dropout, causal))
            cin = c
        self.blocks = nn.Sequential(*blocks)
        self.head = nn.Conv1d(cin, 1, 1)

    def forward(self, x):
        return self.head(self.blocks(x))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--traces", type=int, default=450)
    ap.add_argument("--samples", type=int, default=500)
    ap.add_argument("--batch", type=int, default=10)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--causal", action="store_true")
    ap.add_argument("--infer-only", action="store_true")
    ap.add_argument("--infer-batch", type=int, default=50)
    ap.add_argument("--reps", type=int, default=3)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    channels = [3, 5, 5, 5, 6, 6, 6, 6]
    model = TCN(channels, 5, 0.2, a.causal)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=1e-4)
    x = torch.randn(a.traces, 1, a.samples)
    y = torch.randn(a.traces, 1, a.samples)
    lossf = nn.MSELoss()
    epoch_s = []
    for ep in range(0 if a.infer_only else a.epochs + 1):  # first epoch is warm-up, not counted
        model.train()
        perm = torch.randperm(a.traces)
        t0 = time.perf_counter()
        for i in range(0, a.traces, a.batch):
            idx = perm[i:i + a.batch]
            opt.zero_grad()
            loss = lossf(model(x[idx]), y[idx])
            loss.backward()
            opt.step()
        if ep > 0:
            epoch_s.append(time.perf_counter() - t0)
    model.eval()
    b = a.infer_batch
    passes = []
    cpu = []  # process CPU time (all threads) of each pass
    with torch.no_grad():
        for i in range(0, a.traces, b):  # warm-up pass
            model(x[i:i + b])
        for _ in range(a.reps):
            t0, c0 = time.perf_counter(), time.process_time()
            for i in range(0, a.traces, b):
                model(x[i:i + b])
            passes.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
    print(json.dumps({
        "impl": "pytorch",
        "version": torch.__version__,
        "threads": torch.get_num_threads(),
        "traces": a.traces, "samples": a.samples, "batch": a.batch,
        "epoch_s": min(epoch_s) if epoch_s else None, "epoch_s_all": epoch_s,
        "infer_batch": b,
        "infer_traces_per_s": a.traces / min(passes),
        "infer_traces_per_s_all": [a.traces / p for p in passes],
        "infer_traces_per_cpu_s": a.traces / min(cpu),
        "params": sum(p.numel() for p in model.parameters()),
    }))


if __name__ == "__main__":
    main()
