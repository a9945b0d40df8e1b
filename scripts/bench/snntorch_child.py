# The snnTorch baseline for `npm run bench`: the tutorial network trained with real snnTorch and
# PyTorch, the per-step loop exactly as snnTorch's tutorial writes it, on the same MNIST IDX files,
# batch 128, T=10, Adam, mse_count_loss. Measured like scripts/bench/train-child.ts and printed as
# one JSON line with the same keys.
# argv: <mnist idx folder> <batches> <threads>
import json
import os
import resource
import statistics
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import snntorch as snn
from snntorch import functional as SF

data_dir, batches, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
torch.set_num_threads(threads)
torch.manual_seed(0)


def idx(path, offset):
    with open(path, 'rb') as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=offset)


train_x = torch.from_numpy(idx(os.path.join(data_dir, 'train-images-idx3-ubyte'), 16).reshape(-1, 1, 28, 28).copy())
train_y = torch.from_numpy(idx(os.path.join(data_dir, 'train-labels-idx1-ubyte'), 8).astype(np.int64))
test_x = torch.from_numpy(idx(os.path.join(data_dir, 't10k-images-idx3-ubyte'), 16).reshape(-1, 1, 28, 28).copy())
test_y = torch.from_numpy(idx(os.path.join(data_dir, 't10k-labels-idx1-ubyte'), 8).astype(np.int64))

num_inputs, num_hidden, num_outputs, beta, num_steps = 784, 128, 10, 0.9, 10


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(num_inputs, num_hidden)
        self.rlif1 = snn.RLeaky(beta=beta, linear_features=num_hidden)
        self.fc2 = nn.Linear(num_hidden, num_outputs)
        self.rlif2 = snn.RLeaky(beta=beta, linear_features=num_outputs)

    def forward(self, x):
        spk1, mem1 = self.rlif1.init_rleaky()
        spk2, mem2 = self.rlif2.init_rleaky()
        spk2_rec = []
        mem2_rec = []
        for step in range(num_steps):
            cur1 = self.fc1(x)
            spk1, mem1 = self.rlif1(cur1, spk1, mem1)
            cur2 = self.fc2(spk1)
            spk2, mem2 = self.rlif2(cur2, spk2, mem2)
            spk2_rec.append(spk2)
            mem2_rec.append(mem2)
        return torch.stack(spk2_rec), torch.stack(mem2_rec)


net = Net()
optimizer = torch.optim.Adam(net.parameters(), lr=1e-3)
loss_fn = SF.mse_count_loss(correct_rate=0.8, incorrect_rate=0.2)

perm = torch.randperm(train_x.shape[0])
warmup = 10
t = {'data': [], 'fwd': [], 'bwd': [], 'step': [], 'total': []}
last = time.perf_counter()
for i in range(warmup + batches):
    sel = perm[i * 128:(i + 1) * 128]
    x = train_x[sel].float().div_(255)
    y = train_y[sel]
    a = time.perf_counter()
    spk, _ = net(x.view(x.size(0), -1))
    loss = loss_fn(spk, y)
    b = time.perf_counter()
    optimizer.zero_grad()
    loss.backward()
    c = time.perf_counter()
    optimizer.step()
    d = time.perf_counter()
    if i >= warmup:
        t['data'].append(a - last)
        t['fwd'].append(b - a)
        t['bwd'].append(c - b)
        t['step'].append(d - c)
        t['total'].append(d - last)
    last = time.perf_counter()

train_sps = 128 * len(t['total']) / sum(t['total'])
net.eval()
e0 = time.perf_counter()
with torch.no_grad():
    for i in range(40):
        x = test_x[i * 128:(i + 1) * 128].float().div_(255)
        spk, _ = net(x.view(x.size(0), -1))
        SF.accuracy_rate(spk, test_y[i * 128:(i + 1) * 128])
eval_sps = 128 * 40 / (time.perf_counter() - e0)

ms = lambda k: statistics.median(t[k]) * 1000
print(json.dumps({
    'engine': 'snntorch', 'impl': 'snntorch ' + snn.__version__ + ', torch ' + torch.__version__, 'threads': torch.get_num_threads(),
    'batches': len(t['total']), 'train_samples_per_s': train_sps, 'eval_samples_per_s': eval_sps,
    'data_ms': ms('data'), 'forward_ms': ms('fwd'), 'backward_ms': ms('bwd'), 'adam_ms': ms('step'), 'batch_ms': ms('total'),
    'peak_rss_mib': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
}))
